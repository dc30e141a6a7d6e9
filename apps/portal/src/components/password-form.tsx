'use client';

import { useActionState } from 'react';
import { emptyFormState, PASSWORD_MIN_LENGTH, type PasswordField } from '../lib/forms.ts';
import { changePassword } from '../server/auth-actions.ts';
import { FormField } from './form-field.tsx';
import { FormErrorSummary } from './login-form.tsx';

/** Current, new and repeated new password; the hub's rules and refusals shown on the fields. */
export function PasswordForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(changePassword, emptyFormState<PasswordField>());
  return (
    <form action={action} className="form" noValidate>
      <FormErrorSummary id="password-error" state={state} />
      <input type="hidden" name="next" value={next} />
      <FormField id="currentPassword" label="Current password" hint="The one-time password you were given, if this is your first sign-in." error={state.fieldErrors.currentPassword}>
        {(props) => <input {...props} type="password" autoComplete="current-password" required autoFocus />}
      </FormField>
      <FormField id="newPassword" label="New password" hint={`At least ${PASSWORD_MIN_LENGTH} characters; a few unrelated words make a good one.`} error={state.fieldErrors.newPassword}>
        {(props) => <input {...props} type="password" autoComplete="new-password" required />}
      </FormField>
      <FormField id="confirmPassword" label="New password again" error={state.fieldErrors.confirmPassword}>
        {(props) => <input {...props} type="password" autoComplete="new-password" required />}
      </FormField>
      <button type="submit" className="button" aria-disabled={pending}>
        {pending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
