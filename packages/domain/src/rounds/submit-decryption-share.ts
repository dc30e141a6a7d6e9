import { decryptionShares, roundChunks, rounds } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { addDecryptionShares, decodeChunks, validateDecryptionShare } from '@consilium/secagg';
import { and, asc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';
import { finalizeRound } from './finalize-round.ts';
import { loadRound } from './load-round.ts';
import { checkChunkCount, inChunk, loadUploadRound } from './upload-round.ts';

export interface DecryptionShareReceipt {
  roundId: string;
  duplicate: boolean;
  sharesSoFar: number;
  /** true once every key holder's share is in and the round was finalised. */
  roundComplete: boolean;
}

/**
 * Accepts a site's partial decryption of a sealed aggregate. Shares are summed as they arrive (the
 * hub keeps O(model) state); when every key holder has answered (n-of-n), the sum decrypts the
 * aggregate — and only the aggregate — and the round is finalised.
 */
export async function submitDecryptionShare(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<DecryptionShareReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'decryption-share', maxParts: 1_000_000, maxPartBytes: 16 * 1024 * 1024 }, ctx.limits);
  const { studyId, payloadSha256 } = upload.header;
  const round = await loadUploadRound(ctx, site, upload, 'decryption share');
  const { roundId } = round;
  const [existing] = await ctx.db.select().from(decryptionShares).where(and(eq(decryptionShares.roundId, roundId), eq(decryptionShares.siteId, site.siteId)));
  if (existing) {
    if (existing.payloadHash !== payloadSha256) {
      throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already returned a different decryption share for round ${round.row.index}`);
    }
    return { roundId, duplicate: true, sharesSoFar: round.row.shareCount, roundComplete: round.row.status === 'complete' };
  }
  if (round.row.status !== 'decrypting' || round.encoding.scheme !== 'ckks-multiparty') {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} is not waiting for decryption (status ${round.row.status})`);
  }
  checkChunkCount(round, upload, 'decryption share');
  const study = await loadStudy(ctx.db, studyId);
  const context = await ctx.crypto.context(study.spec.privacy.ckks);
  // Each share is bound to the exact aggregate bytes it decrypts: a share of anything else is refused now.
  const aggregates = await ctx.db.select({ accumulator: roundChunks.accumulator }).from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex));
  if (aggregates.length !== round.encoding.chunkCount) {
    // The round was finalised or failed (its chunks deleted) since it was read above.
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} is no longer waiting for decryption`);
  }
  upload.parts.forEach((part, i) => inChunk(i, () => validateDecryptionShare(context, part, { aggregate: aggregates[i]!.accumulator })));

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const locked = await loadRound(tx, roundId, { forUpdate: true });
    const [again] = await tx.select().from(decryptionShares).where(and(eq(decryptionShares.roundId, roundId), eq(decryptionShares.siteId, site.siteId)));
    if (again) return { roundId, duplicate: true, sharesSoFar: locked.row.shareCount, roundComplete: locked.row.status === 'complete' };
    if (locked.row.status !== 'decrypting') {
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${locked.row.index} is not waiting for decryption (status ${locked.row.status})`);
    }
    // Like submissions, shares count only until their deadline — even before the deadline check has run.
    if (locked.row.decryptDeadlineAt && ctx.now().getTime() > locked.row.decryptDeadlineAt.getTime()) {
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${locked.row.index}'s decryption deadline ${locked.row.decryptDeadlineAt.toISOString()} has passed`);
    }
    const chunks = await tx.select().from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex)).for('update');
    const shareSums: Uint8Array[] = [];
    for (const chunk of chunks) {
      const part = upload.parts[chunk.chunkIndex]!;
      const shareSum = chunk.shareSum ? addDecryptionShares(context, chunk.shareSum, part) : part.slice();
      shareSums.push(shareSum);
      await tx.update(roundChunks).set({ shareSum }).where(and(eq(roundChunks.roundId, roundId), eq(roundChunks.chunkIndex, chunk.chunkIndex)));
    }
    await tx.insert(decryptionShares).values({
      roundId,
      siteId: site.siteId,
      payloadHash: payloadSha256,
      payloadBytes: upload.bytes,
      signature: upload.header.signature,
      receivedAt: ctx.now(),
    });
    const sharesSoFar = locked.row.shareCount + 1;
    await tx.update(rounds).set({ shareCount: sharesSoFar }).where(eq(rounds.id, roundId));
    audit.record({
      action: 'round.decryption_share_accepted',
      actor: `site:${site.siteId}`,
      studyId,
      siteId: site.siteId,
      roundId,
      payload: { payloadHash: payloadSha256, bytes: upload.bytes, sharesSoFar },
    });
    if (sharesSoFar < locked.row.participants.length) return { roundId, duplicate: false, sharesSoFar, roundComplete: false };

    const sum = decodeChunks(context, chunks.map((c) => c.accumulator), shareSums, locked.encoding.length);
    await finalizeRound(ctx, tx, audit, study, { ...locked, row: { ...locked.row, shareCount: sharesSoFar } }, sum);
    return { roundId, duplicate: false, sharesSoFar, roundComplete: true };
  });
}
