import { roundChunks, rounds, type Transaction } from '@consilium/db';
import { sha256Hex } from '@consilium/protocol';
import { asc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import { chooseDecryptors } from './choose-decryptors.ts';
import { failRound } from './fail-round.ts';
import { finalizeRound } from './finalize-round.ts';
import type { LoadedRound } from './load-round.ts';
import { toFloat64 } from './vector-parts.ts';

/**
 * Seals a round's aggregate: no more submissions. Its hash is fixed so every decryptor can check it
 * decrypts exactly the aggregate the hub holds. Encrypted rounds then wait for partial decryptions
 * from t committee members chosen now; plaintext rounds are finalised at once.
 */
export async function closeAggregation(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  round: LoadedRound,
  reason: string,
): Promise<void> {
  const chunks = await tx.select().from(roundChunks).where(eq(roundChunks.roundId, round.row.id)).orderBy(asc(roundChunks.chunkIndex));
  const aggregateHash = sha256Hex(chunks.map((c) => c.accumulator));
  const now = ctx.now();
  audit.record({
    action: 'round.aggregation_closed',
    actor: 'hub',
    studyId: study.row.id,
    roundId: round.row.id,
    payload: { submissions: round.row.submissionCount, aggregateHash, reason },
  });
  if (round.encoding.scheme === 'plaintext') {
    await tx.update(rounds).set({ sealedAt: now, aggregateHash }).where(eq(rounds.id, round.row.id));
    const sum = toFloat64(chunks[0]!.accumulator);
    await finalizeRound(ctx, tx, audit, study, round, sum);
    return;
  }
  const decryptDeadlineAt = new Date(now.getTime() + study.spec.federation.decryptionDeadlineSeconds * 1000);
  await tx
    .update(rounds)
    .set({ status: 'decrypting', sealedAt: now, decryptDeadlineAt, aggregateHash })
    .where(eq(rounds.id, round.row.id));
  const sealed: LoadedRound = { ...round, row: { ...round.row, status: 'decrypting', sealedAt: now, decryptDeadlineAt, aggregateHash } };
  if (round.row.keyEpoch !== study.row.keyEpoch) {
    await failRound(ctx, tx, audit, study, sealed, `the round was encrypted under key epoch ${round.row.keyEpoch}, but the study has been re-keyed to epoch ${study.row.keyEpoch}`);
    return;
  }
  const chosen = await chooseDecryptors(ctx, tx, audit, study, sealed, []);
  if (!chosen.ok) await failRound(ctx, tx, audit, study, sealed, chosen.reason);
}
