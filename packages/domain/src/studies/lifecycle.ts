import { roundChunks, rounds, studies, submissionChunks } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { isEndedStudyStatus } from '@consilium/schemas';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { maybeAutoStart } from './start-study.ts';
import { inStudyWideTransaction } from './study-lock.ts';

/**
 * Pauses a study that is enrolling, in its key ceremony or running. While it is paused, agents get
 * no tasks for it, the hub accepts no upload for it (STUDY_PAUSED; agents keep the upload and send
 * it again after the resume), no deadline of it runs out and no round opens. Recorded as `study.paused`.
 */
export async function pauseStudy(ctx: DomainContext, input: { studyId: string; actor: string; reason?: string | undefined }): Promise<{ pausedAt: Date }> {
  return inStudyWideTransaction(ctx, input.studyId, async (tx, audit, { study }) => {
    if (study.row.status !== 'enrolling' && study.row.status !== 'keygen' && study.row.status !== 'running') {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" cannot be paused in status ${study.row.status}: only an enrolling, key-ceremony or running study can`);
    }
    if (study.row.pausedAt) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is already paused (since ${study.row.pausedAt.toISOString()})`);
    }
    const pausedAt = ctx.now();
    await tx.update(studies).set({ pausedAt }).where(eq(studies.id, study.row.id));
    const reason = input.reason?.trim() ? input.reason.trim() : null;
    audit.record({ action: 'study.paused', actor: input.actor, studyId: study.row.id, payload: { reason } });
    return { pausedAt };
  });
}

/**
 * Resumes a paused study. The sites lose no time: the open round's deadlines (and, during the key
 * ceremony, the ceremony's start, which its deadline runs from) move forward by the length of the
 * pause. An enrolling study whose sites have all decided meanwhile starts now. Recorded as `study.resumed`.
 */
export async function resumeStudy(ctx: DomainContext, input: { studyId: string; actor: string }): Promise<{ resumedAt: Date; studyStarted: boolean }> {
  return inStudyWideTransaction(ctx, input.studyId, async (tx, audit, { study, active }) => {
    const pausedAt = study.row.pausedAt;
    if (!pausedAt) throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is not paused (status ${study.row.status})`);
    const resumedAt = ctx.now();
    const shift = Math.max(0, resumedAt.getTime() - pausedAt.getTime());
    const later = (d: Date | null) => (d ? new Date(d.getTime() + shift) : null);
    for (const round of active) {
      await tx
        .update(rounds)
        .set({ deadlineAt: later(round.deadlineAt)!, decryptDeadlineAt: later(round.decryptDeadlineAt), attemptDeadlineAt: later(round.attemptDeadlineAt) })
        .where(eq(rounds.id, round.id));
    }
    const ceremonyStartedAt = study.row.status === 'keygen' ? later(study.row.ceremonyStartedAt ?? study.row.startedAt) : study.row.ceremonyStartedAt;
    await tx.update(studies).set({ pausedAt: null, ceremonyStartedAt }).where(eq(studies.id, study.row.id));
    audit.record({
      action: 'study.resumed',
      actor: input.actor,
      studyId: study.row.id,
      payload: { pausedAt: pausedAt.toISOString(), pausedForMs: shift, deadlinesMovedBy: active.length > 0 || study.row.status === 'keygen' ? shift : 0 },
    });
    const studyStarted = await maybeAutoStart(ctx, tx, audit, { ...study, row: { ...study.row, pausedAt: null, ceremonyStartedAt } });
    return { resumedAt, studyStarted };
  });
}

/**
 * Ends a study early, for good: status `stopped`, with the reason. A round in progress is failed
 * with the reason (its submissions are discarded); the models published so far stay downloadable;
 * no site can join any more (tokens are neither issued nor redeemed). Recorded as `study.stopped`.
 */
export async function stopStudy(ctx: DomainContext, input: { studyId: string; actor: string; reason: string }): Promise<{ stoppedAt: Date }> {
  return inStudyWideTransaction(ctx, input.studyId, async (tx, audit, { study, active }) => {
    if (isEndedStudyStatus(study.row.status)) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has already ended (status ${study.row.status})`);
    }
    const stoppedAt = ctx.now();
    const reason = input.reason.trim();
    for (const round of active) {
      const failureReason = `abandoned: the study was stopped (${reason})`;
      await tx.update(rounds).set({ status: 'failed', failureReason, completedAt: stoppedAt }).where(eq(rounds.id, round.id));
      await tx.delete(roundChunks).where(eq(roundChunks.roundId, round.id));
      await tx.delete(submissionChunks).where(eq(submissionChunks.roundId, round.id));
      audit.record({ action: 'round.failed', actor: input.actor, studyId: study.row.id, roundId: round.id, payload: { index: round.index, reason: failureReason } });
    }
    await tx.update(studies).set({ status: 'stopped', stoppedAt, stopReason: reason, pausedAt: null }).where(eq(studies.id, study.row.id));
    audit.record({ action: 'study.stopped', actor: input.actor, studyId: study.row.id, payload: { reason, abandonedRounds: active.map((r) => r.index) } });
    return { stoppedAt };
  });
}
