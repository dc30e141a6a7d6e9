import { decryptionShares, roundChunks, rounds } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { addDecryptionShares, decodeChunks, validateDecryptionShare } from '@consilium/secagg';
import { and, asc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import { committeeOf } from '../ceremony/committee.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy, type LoadedStudy } from '../studies/load-study.ts';
import { requireParticipation } from '../studies/participation.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';
import { finalizeRound } from './finalize-round.ts';
import { loadRound, type LoadedRound } from './load-round.ts';
import { checkChunkCount, inChunk, loadUploadRound } from './upload-round.ts';

export interface DecryptionShareReceipt {
  roundId: string;
  duplicate: boolean;
  sharesSoFar: number;
  /** true once the t decryptors' shares are in and the round was finalised. */
  roundComplete: boolean;
}

/** The Shamir points of a round's current decryptor set (committee positions + 1). */
export function decryptorPoints(study: LoadedStudy, round: LoadedRound): number[] {
  const committee = committeeOf(study);
  return round.row.decryptors.map((id) => committee.indexOf(id) + 1);
}

/**
 * Accepts a partial decryption from one of the t members asked in the current attempt. Each share is
 * bound to the exact aggregate and to the decryptor set (its Lagrange coefficient depends on it), and
 * shares are summed as they arrive (O(model) state); when all t are in, the sum decrypts the
 * aggregate — and only the aggregate — and the round is finalised.
 */
export async function submitDecryptionShare(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<DecryptionShareReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'decryption-share', maxParts: 1_000_000, maxPartBytes: 16 * 1024 * 1024 }, ctx.limits);
  const { studyId, payloadSha256 } = upload.header;
  await requireParticipation(ctx.db, site, studyId, 'decryption share');
  const round = await loadUploadRound(ctx, site, upload, 'decryption share', { committeeOnly: true });
  const { roundId } = round;
  const previous = await ctx.db.select().from(decryptionShares).where(and(eq(decryptionShares.roundId, roundId), eq(decryptionShares.siteId, site.siteId)));
  const same = previous.find((p) => p.payloadHash === payloadSha256);
  if (same) return { roundId, duplicate: true, sharesSoFar: round.row.shareCount, roundComplete: round.row.status === 'complete' };
  if (previous.some((p) => p.attempt === round.row.decryptAttempt)) {
    throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already returned a different decryption share for round ${round.row.index} (attempt ${round.row.decryptAttempt})`);
  }
  if (round.row.status !== 'decrypting' || round.encoding.scheme !== 'ckks-multiparty') {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} is not waiting for decryption (status ${round.row.status})`);
  }
  if (!round.row.decryptors.includes(site.siteId)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not among the decryptors of round ${round.row.index}'s attempt ${round.row.decryptAttempt}`);
  }
  checkChunkCount(round, upload, 'decryption share');
  const study = await loadStudy(ctx.db, studyId);
  const context = await ctx.crypto.context(study.spec.privacy.ckks);
  const decryptors = decryptorPoints(study, round);
  // Each share is bound to the exact aggregate bytes and decryptor set: anything else is refused now.
  const aggregates = await ctx.db.select({ accumulator: roundChunks.accumulator }).from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex));
  if (aggregates.length !== round.encoding.chunkCount) {
    // The round was finalised or failed (its chunks deleted) since it was read above.
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} is no longer waiting for decryption`);
  }
  upload.parts.forEach((part, i) => inChunk(i, () => validateDecryptionShare(context, part, { aggregate: aggregates[i]!.accumulator, decryptors })));

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const locked = await loadRound(tx, roundId, { forUpdate: true });
    await requireParticipation(tx, site, studyId, 'decryption share');
    const again = await tx.select().from(decryptionShares).where(and(eq(decryptionShares.roundId, roundId), eq(decryptionShares.siteId, site.siteId)));
    if (again.some((p) => p.payloadHash === payloadSha256)) return { roundId, duplicate: true, sharesSoFar: locked.row.shareCount, roundComplete: locked.row.status === 'complete' };
    if (locked.row.status !== 'decrypting') {
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${locked.row.index} is not waiting for decryption (status ${locked.row.status})`);
    }
    if (locked.row.decryptAttempt !== round.row.decryptAttempt) {
      throw new AppError(ErrorCode.CONFLICT, `Round ${locked.row.index} moved on to decryption attempt ${locked.row.decryptAttempt} with another decryptor set; poll for the new task`);
    }
    // Like submissions, shares count only until their deadline — even before the deadline check has run.
    const deadline = locked.row.attemptDeadlineAt ?? locked.row.decryptDeadlineAt;
    if (deadline && ctx.now().getTime() > deadline.getTime()) {
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${locked.row.index}'s decryption attempt ${locked.row.decryptAttempt} ended at ${deadline.toISOString()}`);
    }
    const chunks = await tx.select().from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex)).for('update');
    const shareSums: Uint8Array[] = [];
    for (const chunk of chunks) {
      const part = upload.parts[chunk.chunkIndex]!;
      const shareSum = chunk.shareSum ? addDecryptionShares(context, chunk.shareSum, part) : part.slice();
      shareSums.push(shareSum);
      await tx.update(roundChunks).set({ shareSum }).where(and(eq(roundChunks.roundId, roundId), eq(roundChunks.chunkIndex, chunk.chunkIndex)));
    }
    const attempt = locked.row.decryptAttempt;
    await tx.insert(decryptionShares).values({ roundId, siteId: site.siteId, payloadHash: payloadSha256, payloadBytes: upload.bytes, signature: upload.header.signature, attempt, receivedAt: ctx.now() });
    const sharesSoFar = locked.row.shareCount + 1;
    await tx.update(rounds).set({ shareCount: sharesSoFar }).where(eq(rounds.id, roundId));
    audit.record({
      action: 'round.decryption_share_accepted',
      actor: `site:${site.siteId}`,
      studyId,
      siteId: site.siteId,
      roundId,
      payload: { payloadHash: payloadSha256, bytes: upload.bytes, sharesSoFar, attempt },
    });
    if (sharesSoFar < locked.row.decryptors.length) return { roundId, duplicate: false, sharesSoFar, roundComplete: false };

    const sum = decodeChunks(context, chunks.map((c) => c.accumulator), shareSums, locked.encoding.length, decryptors);
    await finalizeRound(ctx, tx, audit, study, { ...locked, row: { ...locked.row, shareCount: sharesSoFar } }, sum);
    return { roundId, duplicate: false, sharesSoFar, roundComplete: true };
  });
}
