'use server';
/**
 * The portal's account actions (Server Actions): sign in, change the password, sign out. They run
 * on the portal's server, call the hub's `auth.*` procedures and keep the session token in the
 * httpOnly cookie; the browser never sees the token.
 */
import { revalidatePath } from 'next/cache';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { fieldErrorsFrom, type FormState, type LoginField, type PasswordField } from '../lib/forms.ts';
import { hubChangePassword, hubLogin, hubLogout, readSessionToken } from './hub.ts';
import { forwardedFor, isHttpsRequest, loginUrl, PASSWORD_PATH, safeNextPath, SESSION_COOKIE, sessionCookieOptions } from './session-cookie.ts';

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/** Signs in with e-mail and password; on success sets the session cookie and continues. */
export async function signIn(_previous: FormState<LoginField>, form: FormData): Promise<FormState<LoginField>> {
  const email = text(form, 'email').trim();
  const password = text(form, 'password');
  const next = safeNextPath(text(form, 'next'));
  const values = { email };
  const fieldErrors: FormState<LoginField>['fieldErrors'] = {};
  if (!email) fieldErrors.email = 'Enter your e-mail address.';
  if (!password) fieldErrors.password = 'Enter your password.';
  if (Object.keys(fieldErrors).length > 0) return { formError: null, formErrorCode: null, fieldErrors, values };

  const request = await headers();
  const result = await hubLogin({ email, password }, { forwardedFor: forwardedFor(request), userAgent: request.get('user-agent') });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { email: 'email', password: 'password' });
      return { formError: mapped.rest, formErrorCode: error.appCode, fieldErrors: mapped.fieldErrors, values };
    }
    // Wrong credentials, too many attempts: the hub's own words.
    if (error) return { formError: error.message, formErrorCode: error.appCode ?? error.code, fieldErrors: {}, values };
    return { formError: `${problem.title}: ${problem.detail}`, formErrorCode: problem.kind, fieldErrors: {}, values };
  }

  const { token, expiresAt, user } = result.data;
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt, isHttpsRequest(request)));
  revalidatePath('/', 'layout'); // the header shows who is signed in
  if (user.passwordChangeRequired) redirect(next === '/' ? PASSWORD_PATH : `${PASSWORD_PATH}?next=${encodeURIComponent(next)}`);
  redirect(next);
}

/** Changes the signed-in person's password (proving the current one), then continues. */
export async function changePassword(_previous: FormState<PasswordField>, form: FormData): Promise<FormState<PasswordField>> {
  const token = await readSessionToken();
  if (!token) redirect(loginUrl({ reason: 'expired' }));
  const currentPassword = text(form, 'currentPassword');
  const newPassword = text(form, 'newPassword');
  const confirmPassword = text(form, 'confirmPassword');
  const next = safeNextPath(text(form, 'next'));
  const fieldErrors: FormState<PasswordField>['fieldErrors'] = {};
  if (!currentPassword) fieldErrors.currentPassword = 'Enter your current password (the one-time password, if you were given one).';
  if (!newPassword) fieldErrors.newPassword = 'Choose a new password.';
  if (!confirmPassword) fieldErrors.confirmPassword = 'Type the new password again.';
  else if (newPassword && confirmPassword !== newPassword) fieldErrors.confirmPassword = 'The two new passwords do not match.';
  if (Object.keys(fieldErrors).length > 0) return { formError: null, formErrorCode: null, fieldErrors, values: {} };

  const result = await hubChangePassword(token, { currentPassword, newPassword });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'UNAUTHORIZED') redirect(loginUrl({ reason: 'expired' }));
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { currentPassword: 'currentPassword', newPassword: 'newPassword', password: 'newPassword' });
      return { formError: mapped.rest, formErrorCode: error.appCode, fieldErrors: mapped.fieldErrors, values: {} };
    }
    if (error) return { formError: error.message, formErrorCode: error.appCode ?? error.code, fieldErrors: {}, values: {} };
    return { formError: `${problem.title}: ${problem.detail}`, formErrorCode: problem.kind, fieldErrors: {}, values: {} };
  }
  revalidatePath('/', 'layout');
  redirect(next);
}

/** Ends the session at the hub (best effort) and forgets it here. */
export async function signOut(): Promise<void> {
  const token = await readSessionToken();
  if (token) await hubLogout(token);
  (await cookies()).delete(SESSION_COOKIE);
  revalidatePath('/', 'layout');
  redirect(loginUrl({ reason: 'signed-out' }));
}
