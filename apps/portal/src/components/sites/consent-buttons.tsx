'use client';
/**
 * Approve or decline a site's part in a study (the site's own administrators), after a confirmation
 * dialog with an optional note. Declining explains its consequence: the agent will not train for
 * the study and the hub accepts nothing from the site for it.
 */
import { decideConsentAction } from '../../server/site-actions.ts';
import { ConfirmAction } from '../ui/confirm-action.tsx';

type Decision = 'approve' | 'decline';

export function ConsentButtons({ siteName, studyId, studyName, consent }: { siteName: string; studyId: string; studyName: string; consent: 'pending' | 'approved' | 'declined' }) {
  return (
    <div className="actions consent-actions" role="group" aria-label={`Decision on ${studyName}`}>
      {consent !== 'approved' ? <DecisionButton siteName={siteName} studyId={studyId} studyName={studyName} decision="approve" /> : null}
      {consent !== 'declined' ? <DecisionButton siteName={siteName} studyId={studyId} studyName={studyName} decision="decline" /> : null}
    </div>
  );
}

function DecisionButton({ siteName, studyId, studyName, decision }: { siteName: string; studyId: string; studyName: string; decision: Decision }) {
  const approve = decision === 'approve';
  return (
    <ConfirmAction
      trigger={{ label: approve ? 'Approve' : 'Decline', className: approve ? 'button' : 'button button--danger-quiet', ariaLabel: `${approve ? 'Approve' : 'Decline'} ${studyName}` }}
      title={`${approve ? 'Approve' : 'Decline'} ${studyName} for ${siteName}?`}
      text={{
        field: 'note',
        label: 'Note (optional)',
        description: "Recorded with your decision and shown to the study's lead, e.g. the ethics approval reference.",
        multiline: true,
      }}
      confirm={{ label: approve ? 'Approve the study' : 'Decline the study', pendingLabel: 'Saving…', className: approve ? 'button' : 'button button--danger' }}
      run={(note) => decideConsentAction({ siteName, studyId, decision, note })}
    >
      {approve ? (
        <p>
          Your site&apos;s agent will take part in this study: it trains on your data locally and sends only protected model updates to the hub. Your patient
          rows never leave the site. You can decline later; the site then leaves from the next round on.
        </p>
      ) : (
        <div className="notice notice--warning">
          <p>
            <strong>Your site will not take part.</strong> The agent will not train for this study, and the hub will accept nothing from your site for it. If
            you approved before, your site leaves from the next round on. You can approve again later.
          </p>
        </div>
      )}
    </ConfirmAction>
  );
}
