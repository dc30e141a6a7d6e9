import { describe, expect, it } from 'vitest';
import { emptyFormState, fieldErrorsFrom, roleLabel } from './forms.ts';

describe('roleLabel', () => {
  it('names the hub roles as people say them', () => {
    expect(roleLabel('study_lead')).toBe('Study lead');
    expect(roleLabel('consortium_admin')).toBe('Consortium administrator');
    expect(roleLabel('new_role')).toBe('new role');
  });
});

describe('fieldErrorsFrom', () => {
  const fields = { password: 'newPassword', newPassword: 'newPassword', currentPassword: 'currentPassword' } as const;

  it('puts a domain error on the field it names', () => {
    const error = { message: 'A password needs at least 12 characters (this one has 5)', details: { field: 'password', minLength: 12 }, zodIssues: null };
    expect(fieldErrorsFrom(error, fields)).toEqual({ fieldErrors: { newPassword: error.message }, rest: null });
  });

  it('maps zod issues by path, keeping the first per field, and the rest for the form', () => {
    const error = {
      message: 'Invalid input',
      details: null,
      zodIssues: [
        { path: 'currentPassword', message: 'Too small' },
        { path: 'currentPassword', message: 'Second' },
        { path: 'other', message: 'Something else' },
      ],
    };
    expect(fieldErrorsFrom(error, fields)).toEqual({ fieldErrors: { currentPassword: 'Too small' }, rest: 'Something else' });
  });

  it('keeps an error without a field for the form', () => {
    expect(fieldErrorsFrom({ message: 'Conflict', details: null, zodIssues: null }, fields)).toEqual({ fieldErrors: {}, rest: 'Conflict' });
  });

  it('starts empty', () => {
    expect(emptyFormState()).toEqual({ formError: null, formErrorCode: null, fieldErrors: {}, values: {} });
  });
});
