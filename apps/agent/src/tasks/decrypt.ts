import { AppError, ErrorCode } from '@consilium/errors';
import { readAggregate, readSubmissions, runDecryptStage } from '@consilium/keyholder';
import type { DecryptTask } from '@consilium/schemas';
import type { PinnedCeremony } from '../study-keys.ts';
import { attemptSlot } from '../study-state.ts';
import { reportRefusal } from './refusal.ts';
import type { TaskContext } from './task-context.ts';

/**
 * Partial decryption of a round's sealed aggregate with this member's threshold key share — only
 * after checking, against the roster and minimum pinned at the key ceremony, that the aggregate is
 * the sum of enough signed submissions (no decryption oracle). A refusal is recorded locally and
 * reported to the hub, so it is audited on both sides.
 */
export async function runDecrypt(ctx: TaskContext, task: DecryptTask): Promise<void> {
  const state = ctx.state(task.studyId);
  const refused = await state.refusal(task.roundId, task.attempt);
  if (refused) {
    // Refused already: only a report the hub did not get is retried; nothing is checked or decrypted again.
    if (!refused.reported) await reportRefusal(ctx, task, refused.reason);
    return;
  }
  // One share per aggregate, ever: a re-sent task gets the same bytes, never fresh smudging noise.
  const stored = await ctx.storedUpload('decryption-share', task.studyId, task.roundId, attemptSlot(task.attempt));
  if (stored) return ctx.send(task.studyId, stored);

  const keys = ctx.keys(task.studyId);
  const pinned = await keys.pinForDecryption(task.epoch);
  const keyShare = await keys.requireThresholdShare(task.epoch);
  const [aggregate, submissions] = await Promise.all([ctx.hub.download(`/v1/rounds/${task.roundId}/aggregate`), ctx.hub.download(`/v1/rounds/${task.roundId}/submissions`)]);

  let shares: Uint8Array[];
  try {
    checkAggregateIdentity(task, await state.decryptedAggregate(task.roundId));
    checkFirstShare(task, await state.decryptionShareAttempts(task.roundId));
    checkDecryptors(task, pinned);
    const chunks = readAggregate(task, aggregate.bytes);
    const signed = readSubmissions(task, submissions.bytes);
    // The first aggregate asked about is remembered: a later attempt may change who decrypts, never what.
    await state.recordDecryption(task.roundId, task.aggregateHash);
    const context = await ctx.ckks(pinned.ckks);
    const bar = ctx.progress.start(`round ${task.roundIndex}: partial decryption (attempt ${task.attempt})`, chunks.length);
    try {
      shares = runDecryptStage(context, task, {
        selfSiteId: ctx.siteId,
        keyShare,
        pinned: { roster: pinned.roster, minSubmissions: pinned.minSubmissions },
        aggregate: chunks,
        submissions: signed,
        onChunk: (done) => bar.update(done),
      });
    } finally {
      bar.finish();
      keyShare.fill(0);
    }
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.DECRYPTION_REFUSED) return refuse(ctx, task, error.message);
    throw error;
  }
  ctx.logger.info({ studyId: task.studyId, roundId: task.roundId, attempt: task.attempt, decryptors: task.decryptors.length }, 'aggregate checked against the signed submissions; sending decryption share');
  await ctx.upload('decryption-share', task.studyId, task.roundId, shares, attemptSlot(task.attempt));
}

/** A hub that asks again with different bytes for the same round is using this site as an oracle. */
function checkAggregateIdentity(task: DecryptTask, previous: string | null): void {
  if (previous && previous !== task.aggregateHash) {
    throw new AppError(
      ErrorCode.DECRYPTION_REFUSED,
      `Refusing to decrypt round ${task.roundIndex}: this site was first asked to decrypt aggregate ${previous.slice(0, 12)}…, the hub now presents ${task.aggregateHash.slice(0, 12)}…`,
    );
  }
}

/**
 * Two shares of one aggregate for two decryptor sets, λ·S·c1 + e and λ′·S·c1 + e′, give λ′e − λe′:
 * a small lattice problem whose solution yields S·c1 and then this member's key share S (see
 * docs/key-custody.md). A later attempt of a round this site already answered is refused.
 */
function checkFirstShare(task: DecryptTask, attempts: readonly number[]): void {
  const earlier = attempts.find((a) => a !== task.attempt);
  if (earlier !== undefined) {
    throw new AppError(
      ErrorCode.DECRYPTION_REFUSED,
      `Refusing to decrypt round ${task.roundIndex} for attempt ${task.attempt}: this site already made a decryption share of this aggregate${earlier ? ` for attempt ${earlier}` : ''}, and a second share for another decryptor set would reveal its key share`,
    );
  }
}

/**
 * The decryptor set must be pinned committee members at their pinned points, at least t of them:
 * Lagrange coefficients over points the hub made up would turn this share into something else.
 */
function checkDecryptors(task: DecryptTask, pinned: PinnedCeremony): void {
  const unknown = task.decryptors.find((d) => pinned.committee.find((m) => m.siteId === d.siteId)?.point !== d.point);
  const distinct = new Set(task.decryptors.map((d) => d.point)).size === task.decryptors.length;
  if (unknown || !distinct || task.decryptors.length < pinned.threshold) {
    throw new AppError(
      ErrorCode.DECRYPTION_REFUSED,
      `Refusing to decrypt round ${task.roundIndex}: the decryptor set the hub names is not ${pinned.threshold} or more distinct members of the committee pinned at key epoch ${pinned.epoch}${unknown ? ` (site ${unknown.siteId} at point ${unknown.point})` : ''}`,
    );
  }
}

/** Records the refusal on this side first, then tells the hub (see refusal.ts). */
async function refuse(ctx: TaskContext, task: DecryptTask, message: string): Promise<void> {
  const reason = message.slice(0, 2000);
  await ctx.state(task.studyId).recordRefusal({ at: new Date().toISOString(), roundId: task.roundId, attempt: task.attempt, reason, reported: false });
  ctx.logger.error({ studyId: task.studyId, roundId: task.roundId, roundIndex: task.roundIndex, attempt: task.attempt, reason }, 'REFUSED to decrypt');
  await reportRefusal(ctx, task, reason);
}
