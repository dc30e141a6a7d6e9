import { rounds, type Transaction } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { RoundRow } from '../rounds/load-round.ts';
import { inTransaction, type AuditTrail } from '../transaction.ts';
import { loadStudy, type LoadedStudy } from './load-study.ts';

/** Rounds still in progress (their deadlines run; their chunks are held). */
export const ACTIVE_ROUND_STATUSES = ['open', 'collecting', 'decrypting'] as const;

/** How often a study-wide change starts again when a round opened while it took its locks. */
const ATTEMPTS = 5;

/** A round opened between locking the rounds and locking the study: start the transaction again. */
class RoundOpenedMeanwhile extends Error {}

/**
 * Runs a change to a whole study (pause, resume, stop, re-key) in a transaction that holds the
 * study's rounds in progress and then the study itself locked. That is the order uploads, decryption
 * shares, refusals and the deadline ticker take (the round first; the study only when the round
 * completes), so the change waits for an upload being stored — which is therefore in before it or
 * refused after it — and cannot deadlock with a round that is completing. Locking a round after the
 * study could deadlock, so a round that opened in between (the upload waited for completed its round
 * and opened the next) restarts the transaction instead.
 */
export async function inStudyWideTransaction<T>(
  ctx: DomainContext,
  studyId: string,
  work: (tx: Transaction, audit: AuditTrail, locked: { study: LoadedStudy; active: RoundRow[] }) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.db, ctx.now, async (tx, audit) => work(tx, audit, await lockStudyAndActiveRounds(tx, studyId)));
    } catch (error) {
      if (!(error instanceof RoundOpenedMeanwhile)) throw error;
      if (attempt === ATTEMPTS) throw new AppError(ErrorCode.CONFLICT, `Study ${studyId} kept opening rounds while the change waited for them; try again`);
    }
  }
}

async function lockStudyAndActiveRounds(tx: Transaction, studyId: string): Promise<{ study: LoadedStudy; active: RoundRow[] }> {
  const inProgress = and(eq(rounds.studyId, studyId), inArray(rounds.status, [...ACTIVE_ROUND_STATUSES]));
  const active = await tx.select().from(rounds).where(inProgress).orderBy(asc(rounds.index)).for('update');
  const study = await loadStudy(tx, studyId, { forUpdate: true });
  const now = await tx.select({ id: rounds.id }).from(rounds).where(inProgress);
  if (now.some((round) => !active.some((locked) => locked.id === round.id))) throw new RoundOpenedMeanwhile();
  return { study, active };
}
