'use client';
/** A person's row actions (consortium administrators): sign out everywhere, and disable the account. */
import { disablePersonAction, signOutPersonAction } from '../../server/people-actions.ts';
import { ConfirmAction } from '../ui/confirm-action.tsx';

export function PersonActions({ userId, displayName, liveSessions }: { userId: string; displayName: string; liveSessions: number }) {
  return (
    <div className="row-actions" role="group" aria-label={`Actions for ${displayName}`}>
      {liveSessions > 0 ? (
        <ConfirmAction
          trigger={{ label: 'Sign out', className: 'button button--quiet button--small', ariaLabel: `Sign ${displayName} out everywhere` }}
          title={`Sign ${displayName} out everywhere?`}
          confirm={{ label: 'Sign out everywhere', pendingLabel: 'Signing out…', className: 'button' }}
          run={() => signOutPersonAction({ userId })}
        >
          <p>Every session of {displayName} ends at once, on every device (for example a lost laptop). They can sign in again with their password.</p>
        </ConfirmAction>
      ) : null}
      <ConfirmAction
        trigger={{ label: 'Disable', className: 'button button--danger-quiet button--small', ariaLabel: `Disable ${displayName}` }}
        title={`Disable ${displayName}?`}
        confirm={{ label: 'Disable the account', pendingLabel: 'Disabling…', className: 'button button--danger' }}
        run={() => disablePersonAction({ userId })}
      >
        <div className="notice notice--warning">
          <p>
            <strong>{displayName} can no longer sign in</strong>, and their sessions end at once. Their past actions stay in the audit log under their name.
          </p>
        </div>
      </ConfirmAction>
    </div>
  );
}
