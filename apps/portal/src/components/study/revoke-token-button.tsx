'use client';
/** Revoke an enrolment token that has not been used, after confirming. */
import { revokeTokenAction } from '../../server/study-actions.ts';
import { ConfirmAction } from '../ui/confirm-action.tsx';

export function RevokeTokenButton({ studyId, tokenId, siteName }: { studyId: string; tokenId: string; siteName: string }) {
  return (
    <ConfirmAction
      trigger={{ label: 'Revoke', className: 'button button--quiet button--small', ariaLabel: `Revoke the invitation for ${siteName}` }}
      title={`Revoke the invitation for ${siteName}?`}
      confirm={{ label: 'Revoke the token', pendingLabel: 'Revoking…', className: 'button button--danger' }}
      run={() => revokeTokenAction({ studyId, tokenId })}
    >
      <p>The token stops working at once: nobody can enrol with it. Sites that already enrolled are not affected.</p>
      <p>You can invite the site again with a new token.</p>
    </ConfirmAction>
  );
}
