'use client';
/**
 * Pause, resume and stop a study (its lead and consortium administrators), each behind a
 * confirmation dialog. Stopping needs a reason and is final; the model versions so far are kept.
 */
import { useState, useTransition } from 'react';
import { Button, DialogTrigger } from 'react-aria-components';
import type { StudyStatus } from '@consilium/schemas/protocol';
import { pauseStudyAction, resumeStudyAction, stopStudyAction } from '../../server/study-actions.ts';
import { TextInput } from '../ui/fields.tsx';
import { ModalFrame } from '../ui/modal.tsx';

const ACTIVE: ReadonlySet<StudyStatus> = new Set(['enrolling', 'keygen', 'running']);

export function StudyControls({ studyId, studyName, status, paused }: { studyId: string; studyName: string; status: StudyStatus; paused: boolean }) {
  if (!ACTIVE.has(status)) return null;
  return (
    <div className="actions study-controls" role="group" aria-label="Study controls">
      {paused ? <ResumeButton studyId={studyId} studyName={studyName} /> : <PauseButton studyId={studyId} studyName={studyName} />}
      <StopButton studyId={studyId} studyName={studyName} />
    </div>
  );
}

function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="notice notice--error" role="alert">
      <p>{message}</p>
    </div>
  );
}

function PauseButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  return (
    <DialogTrigger onOpenChange={() => setError(null)}>
      <Button className="button button--quiet">Pause study</Button>
      <ModalFrame title={`Pause ${studyName}?`} role="alertdialog">
        {(close) => (
          <>
            <p>While the study is paused, no round opens, sites get no work and the hub accepts no uploads for it. Deadlines stop running.</p>
            <p>You can resume it at any time; the round in progress then continues with its remaining time.</p>
            <TextInput label="Reason (optional)" description="Shown in the audit log, e.g. “Waiting for a site's data fix”." value={reason} onChange={setReason} error={fieldError} maxLength={500} />
            <FormError message={error} />
            <div className="dialog__actions">
              <Button className="button button--quiet" onPress={close}>
                Cancel
              </Button>
              <Button
                className="button"
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await pauseStudyAction({ studyId, reason });
                    if (result.ok) close();
                    else {
                      setError(result.formError);
                      setFieldError(result.fieldErrors.reason);
                    }
                  })
                }
              >
                {pending ? 'Pausing…' : 'Pause the study'}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}

function ResumeButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <DialogTrigger onOpenChange={() => setError(null)}>
      <Button className="button">Resume study</Button>
      <ModalFrame title={`Resume ${studyName}?`} role="alertdialog">
        {(close) => (
          <>
            <p>Sites get work again and the hub accepts their uploads. The deadline of the round in progress moves on by the length of the pause.</p>
            <FormError message={error} />
            <div className="dialog__actions">
              <Button className="button button--quiet" onPress={close}>
                Cancel
              </Button>
              <Button
                className="button"
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await resumeStudyAction({ studyId });
                    if (result.ok) close();
                    else setError(result.formError);
                  })
                }
              >
                {pending ? 'Resuming…' : 'Resume the study'}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}

function StopButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  return (
    <DialogTrigger
      onOpenChange={() => {
        setError(null);
        setFieldError(undefined);
      }}
    >
      <Button className="button button--danger">Stop study</Button>
      <ModalFrame title={`Stop ${studyName} for good?`} role="alertdialog">
        {(close) => (
          <>
            <div className="notice notice--warning">
              <p>
                <strong>Stopping is final.</strong> The round in progress is abandoned and no further rounds run. The study cannot be resumed.
              </p>
            </div>
            <p>The model versions published so far are kept and stay available for download, with their model cards and contribution records.</p>
            <TextInput
              label="Reason for stopping"
              description="Required (3 to 500 characters). Shown on the study's page and kept in the audit log."
              value={reason}
              onChange={(value) => {
                setReason(value);
                setFieldError(undefined);
              }}
              error={fieldError}
              isRequired
              multiline
              maxLength={500}
            />
            <FormError message={error} />
            <div className="dialog__actions">
              <Button className="button button--quiet" onPress={close}>
                Cancel
              </Button>
              <Button
                className="button button--danger"
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await stopStudyAction({ studyId, reason });
                    if (result.ok) close();
                    else {
                      setError(result.formError);
                      setFieldError(result.fieldErrors.reason);
                    }
                  })
                }
              >
                {pending ? 'Stopping…' : 'Stop the study'}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}
