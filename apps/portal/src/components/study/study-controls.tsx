'use client';
/**
 * Pause, resume and stop a study (its lead and consortium administrators), each behind a
 * confirmation dialog. Stopping needs a reason and is final; the model versions so far are kept.
 */
import type { StudyStatus } from '@consilium/schemas/protocol';
import { pauseStudyAction, resumeStudyAction, stopStudyAction } from '../../server/study-actions.ts';
import { ConfirmAction } from '../ui/confirm-action.tsx';

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

function PauseButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  return (
    <ConfirmAction
      trigger={{ label: 'Pause study', className: 'button button--quiet' }}
      title={`Pause ${studyName}?`}
      text={{ field: 'reason', label: 'Reason (optional)', description: 'Shown in the audit log, e.g. “Waiting for a site\'s data fix”.' }}
      confirm={{ label: 'Pause the study', pendingLabel: 'Pausing…', className: 'button' }}
      run={(reason) => pauseStudyAction({ studyId, reason })}
    >
      <p>While the study is paused, no round opens, sites get no work and the hub accepts no uploads for it. Deadlines stop running.</p>
      <p>You can resume it at any time; the round in progress then continues with its remaining time.</p>
    </ConfirmAction>
  );
}

function ResumeButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  return (
    <ConfirmAction
      trigger={{ label: 'Resume study', className: 'button' }}
      title={`Resume ${studyName}?`}
      confirm={{ label: 'Resume the study', pendingLabel: 'Resuming…', className: 'button' }}
      run={() => resumeStudyAction({ studyId })}
    >
      <p>Sites get work again and the hub accepts their uploads. The deadline of the round in progress moves on by the length of the pause.</p>
    </ConfirmAction>
  );
}

function StopButton({ studyId, studyName }: { studyId: string; studyName: string }) {
  return (
    <ConfirmAction
      trigger={{ label: 'Stop study', className: 'button button--danger' }}
      title={`Stop ${studyName} for good?`}
      text={{
        field: 'reason',
        label: 'Reason for stopping',
        description: "Required (3 to 500 characters). Shown on the study's page and kept in the audit log.",
        isRequired: true,
        multiline: true,
      }}
      confirm={{ label: 'Stop the study', pendingLabel: 'Stopping…', className: 'button button--danger' }}
      run={(reason) => stopStudyAction({ studyId, reason })}
    >
      <div className="notice notice--warning">
        <p>
          <strong>Stopping is final.</strong> The round in progress is abandoned and no further rounds run. The study cannot be resumed.
        </p>
      </div>
      <p>The model versions published so far are kept and stay available for download, with their model cards and contribution records.</p>
    </ConfirmAction>
  );
}
