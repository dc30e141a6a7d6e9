import { roundChunks, rounds, submissionChunks, type Transaction } from '@consilium/db';
import { desc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { failStudy } from '../studies/finish-study.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import type { LoadedRound } from './load-round.ts';
import { openRound } from './open-round.ts';

/**
 * Fails a round cleanly, saying why, and retries it as a new round from the same starting point —
 * unless the study has now failed too many rounds in a row, in which case the study fails.
 */
export async function failRound(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  round: LoadedRound,
  reason: string,
): Promise<void> {
  await tx.update(rounds).set({ status: 'failed', failureReason: reason, completedAt: ctx.now() }).where(eq(rounds.id, round.row.id));
  await tx.delete(roundChunks).where(eq(roundChunks.roundId, round.row.id));
  await tx.delete(submissionChunks).where(eq(submissionChunks.roundId, round.row.id));
  audit.record({ action: 'round.failed', actor: 'hub', studyId: study.row.id, roundId: round.row.id, payload: { index: round.row.index, reason } });

  const recent = await tx.select({ status: rounds.status }).from(rounds).where(eq(rounds.studyId, study.row.id)).orderBy(desc(rounds.index));
  let consecutiveFailures = 0;
  for (const r of recent) {
    if (r.status !== 'failed') break;
    consecutiveFailures += 1;
  }
  if (consecutiveFailures >= ctx.limits.maxConsecutiveRoundFailures) {
    await failStudy(ctx, tx, audit, study, `${consecutiveFailures} rounds failed in a row; last: ${reason}`);
    return;
  }
  await openRound(ctx, tx, audit, study, { index: round.row.index + 1, kind: round.row.kind, baseModelVersionId: round.row.baseModelVersionId });
}
