/** What a sign-in or password form shows after a submission (server action state). */
export interface FormState<Field extends string> {
  /** A message about the whole form (wrong credentials, too many attempts, hub unreachable). */
  formError: string | null;
  /** The hub's domain code for formError (e.g. RATE_LIMITED), for styling and tests. */
  formErrorCode: string | null;
  fieldErrors: Partial<Record<Field, string>>;
  /** Values to put back into the form (never passwords). */
  values: Partial<Record<Field, string>>;
}

export type LoginField = 'email' | 'password';
export type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword';

export function emptyFormState<Field extends string>(): FormState<Field> {
  return { formError: null, formErrorCode: null, fieldErrors: {}, values: {} };
}

/** The hub enforces this; the form says it up front. */
export const PASSWORD_MIN_LENGTH = 12;

const ROLE_LABELS: Record<string, string> = {
  consortium_admin: 'Consortium administrator',
  study_lead: 'Study lead',
  site_admin: 'Site administrator',
  compliance_officer: 'Compliance officer',
};

/** A role as people say it. */
export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replaceAll('_', ' ');
}

/**
 * Maps the hub's field names (domain `details.field`, zod issue paths) onto a form's fields; what
 * does not belong to a field becomes the form's message.
 */
export function fieldErrorsFrom<Field extends string>(
  error: { message: string; details: Record<string, unknown> | null; zodIssues: Array<{ path: string; message: string }> | null },
  fieldOf: Readonly<Record<string, Field>>,
): { fieldErrors: Partial<Record<Field, string>>; rest: string | null } {
  const fieldErrors: Partial<Record<Field, string>> = {};
  const rest: string[] = [];
  if (error.zodIssues && error.zodIssues.length > 0) {
    for (const issue of error.zodIssues) {
      const field = fieldOf[issue.path];
      if (field && !fieldErrors[field]) fieldErrors[field] = issue.message;
      else if (!field) rest.push(issue.message);
    }
  } else {
    const named = typeof error.details?.field === 'string' ? fieldOf[error.details.field] : undefined;
    if (named) fieldErrors[named] = error.message;
    else rest.push(error.message);
  }
  return { fieldErrors, rest: rest.length > 0 ? rest.join(' ') : null };
}

/**
 * What a study or site action answers the page: its data, or why not (a message for the whole form
 * and messages per field). Never contains a session token.
 */
export type ActionResult<T, Field extends string = string> =
  | { ok: true; data: T }
  | { ok: false; formError: string | null; fieldErrors: Partial<Record<Field, string>> };

/** A refused hub call in words for the form: the hub's own message, or why there was no answer. */
export function refusalMessage(error: { message: string } | null, problem: { title: string; detail: string }): string {
  return error ? error.message : `${problem.title}: ${problem.detail}`;
}
