import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '../../components/login-form.tsx';
import { getSignedInUser } from '../../server/hub.ts';
import { PASSWORD_PATH, safeNextPath } from '../../server/session-cookie.ts';

export const metadata: Metadata = { title: 'Sign in' };

const REASONS: Record<string, { tone: 'info' | 'warning'; text: string }> = {
  expired: { tone: 'warning', text: 'Your session has ended. Sign in again to continue.' },
  'signed-out': { tone: 'info', text: 'You have signed out.' },
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const reason = typeof params.reason === 'string' ? REASONS[params.reason] : undefined;
  // Already signed in (the hub agrees): no second sign-in.
  const user = await getSignedInUser();
  if (user) redirect(user.passwordChangeRequired ? PASSWORD_PATH : next);
  return (
    <div className="auth-page">
      <section className="panel auth-panel" aria-labelledby="login-heading">
        <h1 id="login-heading">Sign in</h1>
        <p className="muted">Use the e-mail address and password of your Consilium account.</p>
        {reason ? (
          <div className={`notice notice--${reason.tone}`} role="status">
            <p>{reason.text}</p>
          </div>
        ) : null}
        <LoginForm next={next} />
        <p className="muted auth-panel__help">No account, or forgot your password? Ask your consortium administrator.</p>
      </section>
    </div>
  );
}
