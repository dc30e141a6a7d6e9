import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { PasswordForm } from '../../../components/password-form.tsx';
import { getSignedInUser } from '../../../server/hub.ts';
import { loginUrl, safeNextPath } from '../../../server/session-cookie.ts';

export const metadata: Metadata = { title: 'Change password' };

export default async function PasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const user = await getSignedInUser();
  if (!user) redirect(loginUrl({ reason: 'expired' }));
  return (
    <div className="auth-page">
      <section className="panel auth-panel" aria-labelledby="password-heading">
        <h1 id="password-heading">{user.passwordChangeRequired ? 'Choose your password' : 'Change password'}</h1>
        {user.passwordChangeRequired ? (
          <div className="notice notice--warning" role="status">
            <p>You signed in with a one-time password. Choose your own password to continue.</p>
          </div>
        ) : (
          <p className="muted">Your other sessions end when you change it.</p>
        )}
        <PasswordForm next={next} />
      </section>
    </div>
  );
}
