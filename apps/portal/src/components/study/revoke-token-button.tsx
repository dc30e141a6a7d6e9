'use client';
/** Revoke an enrolment token that has not been used, after confirming. */
import { useState, useTransition } from 'react';
import { Button, DialogTrigger } from 'react-aria-components';
import { revokeTokenAction } from '../../server/study-actions.ts';
import { ModalFrame } from '../ui/modal.tsx';

export function RevokeTokenButton({ studyId, tokenId, siteName }: { studyId: string; tokenId: string; siteName: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <DialogTrigger onOpenChange={() => setError(null)}>
      <Button className="button button--quiet button--small" aria-label={`Revoke the invitation for ${siteName}`}>
        Revoke
      </Button>
      <ModalFrame title={`Revoke the invitation for ${siteName}?`} role="alertdialog">
        {(close) => (
          <>
            <p>The token stops working at once: nobody can enrol with it. Sites that already enrolled are not affected.</p>
            <p>You can invite the site again with a new token.</p>
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
                className="button button--danger"
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await revokeTokenAction({ studyId, tokenId });
                    if (result.ok) close();
                    else setError(result.formError);
                  })
                }
              >
                {pending ? 'Revoking…' : 'Revoke the token'}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}
