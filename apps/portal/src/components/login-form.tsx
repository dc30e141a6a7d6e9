'use client';

import { useActionState } from 'react';
import { emptyFormState, type FormState, type LoginField } from '../lib/forms.ts';
import { signIn } from '../server/auth-actions.ts';
import { FormField } from './form-field.tsx';

/** E-mail and password; errors from the hub (wrong credentials, too many attempts) shown above the fields. */
export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signIn, emptyFormState<LoginField>());
  return (
    <form action={action} className="form" noValidate aria-describedby={state.formError ? 'login-error' : undefined}>
      <FormErrorSummary id="login-error" state={state} />
      <input type="hidden" name="next" value={next} />
      <FormField id="email" label="E-mail address" error={state.fieldErrors.email}>
        {(props) => <input {...props} type="email" autoComplete="username" inputMode="email" defaultValue={state.values.email ?? ''} required autoFocus />}
      </FormField>
      <FormField id="password" label="Password" error={state.fieldErrors.password}>
        {(props) => <input {...props} type="password" autoComplete="current-password" required />}
      </FormField>
      <button type="submit" className="button" aria-disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

/** The form-level message (role="alert", so screen readers announce it on arrival). */
export function FormErrorSummary<F extends string>({ id, state }: { id: string; state: FormState<F> }) {
  if (!state.formError) return null;
  return (
    <div id={id} className="notice notice--error" role="alert" data-error-code={state.formErrorCode ?? undefined}>
      <p>{state.formError}</p>
    </div>
  );
}
