import { roundChunks, rounds, submissionChunks } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { isEncrypted, loadStudy } from '../studies/load-study.ts';
import { inStudyWideTransaction } from '../studies/study-lock.ts';
import { beginKeyCeremony } from './begin-ceremony.ts';

/**
 * Re-keys a running study when its committee changes (a site left the consortium — revoke it first —
 * or a new site joined): a fresh dealer-free ceremony among the current active sites gives a new
 * collective key and new Shamir shares, so a departed member's old share opens nothing encrypted
 * from now on. A round in progress is stopped (its updates were encrypted under the old key) and
 * training resumes from the latest global model once the new key is confirmed.
 */
export async function rekeyStudy(ctx: DomainContext, input: { studyId: string; actor: string; reason: string }): Promise<{ epoch: number; committee: string[]; threshold: number }> {
  return inStudyWideTransaction(ctx, input.studyId, async (tx, audit, { study, active }) => {
    if (!isEncrypted(study.spec)) throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" does not use encryption; it has no key to rotate`);
    if (study.row.status !== 'running' && study.row.status !== 'keygen') {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" cannot be re-keyed in status ${study.row.status}`);
    }
    for (const round of active) {
      const reason = `stopped for re-keying: ${input.reason}`;
      await tx.update(rounds).set({ status: 'failed', failureReason: reason, completedAt: ctx.now() }).where(eq(rounds.id, round.id));
      await tx.delete(roundChunks).where(eq(roundChunks.roundId, round.id));
      await tx.delete(submissionChunks).where(eq(submissionChunks.roundId, round.id));
      audit.record({ action: 'round.failed', actor: input.actor, studyId: study.row.id, roundId: round.id, payload: { index: round.index, reason } });
    }
    const epoch = study.row.keyEpoch + 1;
    audit.record({ action: 'study.rekey_requested', actor: input.actor, studyId: study.row.id, payload: { epoch, reason: input.reason } });
    await beginKeyCeremony(ctx, tx, audit, study, { epoch, actor: input.actor });
    const after = await loadStudy(tx, study.row.id);
    return { epoch, committee: after.row.committee ?? [], threshold: after.row.threshold ?? 0 };
  });
}
