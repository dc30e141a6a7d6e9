'use client';
/**
 * Approve or decline a site's part in a study (the site's own administrators), after a confirmation
 * dialog with an optional note. Declining explains its consequence: the agent will not train for
 * the study and the hub accepts nothing from the site for it.
 */
import { useState, useTransition } from 'react';
import { Button, DialogTrigger } from 'react-aria-components';
import { decideConsentAction } from '../../server/site-actions.ts';
import { TextInput } from '../ui/fields.tsx';
import { ModalFrame } from '../ui/modal.tsx';

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
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [noteError, setNoteError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const approve = decision === 'approve';
  return (
    <DialogTrigger
      onOpenChange={() => {
        setError(null);
        setNoteError(undefined);
      }}
    >
      <Button className={approve ? 'button' : 'button button--danger-quiet'} aria-label={`${approve ? 'Approve' : 'Decline'} ${studyName}`}>
        {approve ? 'Approve' : 'Decline'}
      </Button>
      <ModalFrame title={approve ? `Approve ${studyName} for ${siteName}?` : `Decline ${studyName} for ${siteName}?`} role="alertdialog">
        {(close) => (
          <>
            {approve ? (
              <p>
                Your site&apos;s agent will take part in this study: it trains on your data locally and sends only protected model updates to the hub. Your
                patient rows never leave the site. You can decline later; the site then leaves from the next round on.
              </p>
            ) : (
              <div className="notice notice--warning">
                <p>
                  <strong>Your site will not take part.</strong> The agent will not train for this study, and the hub will accept nothing from your site for it.
                  If you approved before, your site leaves from the next round on. You can approve again later.
                </p>
              </div>
            )}
            <TextInput
              label="Note (optional)"
              description="Recorded with your decision and shown to the study's lead, e.g. the ethics approval reference."
              value={note}
              onChange={setNote}
              error={noteError}
              multiline
              maxLength={500}
            />
            {error ? (
              <div className="notice notice--error" role="alert">
                <p>{error}</p>
              </div>
            ) : null}
            <div className="dialog__actions">
              <Button className="button button--quiet" onPress={close}>
                Cancel
              </Button>
              <Button
                className={approve ? 'button' : 'button button--danger'}
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await decideConsentAction({ siteName, studyId, decision, note });
                    if (result.ok) close();
                    else {
                      setError(result.formError);
                      setNoteError(result.fieldErrors.note);
                    }
                  })
                }
              >
                {pending ? 'Saving…' : approve ? 'Approve the study' : 'Decline the study'}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}
