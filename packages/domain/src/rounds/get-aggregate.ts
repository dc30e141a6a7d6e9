import { roundChunks, submissionChunks, submissions } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { AggregateHeader, SubmissionsHeader } from '@consilium/schemas';
import { asc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadRound, type LoadedRound } from './load-round.ts';

/** Only the members asked to decrypt in the current attempt may fetch what they decrypt. */
async function loadForDecryptor(ctx: DomainContext, site: AuthenticatedSite, roundId: string): Promise<LoadedRound> {
  const round = await loadRound(ctx.db, roundId);
  if (round.row.status !== 'decrypting' || !round.row.aggregateHash) {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} has no aggregate awaiting decryption (status ${round.row.status})`);
  }
  if (!round.row.decryptors.includes(site.siteId)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not asked to decrypt round ${round.row.index}`);
  }
  return round;
}

/** The sealed aggregate of a round, for a decryptor to check and partially decrypt. */
export async function getAggregateForDecryption(ctx: DomainContext, site: AuthenticatedSite, roundId: string): Promise<{ header: AggregateHeader; parts: Uint8Array[] }> {
  const round = await loadForDecryptor(ctx, site, roundId);
  const chunks = await ctx.db.select({ accumulator: roundChunks.accumulator }).from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex));
  return {
    header: { studyId: round.row.studyId, roundId, chunkCount: chunks.length, aggregateHash: round.row.aggregateHash! },
    parts: chunks.map((c) => c.accumulator),
  };
}

/**
 * Every accepted submission of a sealed round with its site's payload signature and ciphertext
 * chunks: what a decryptor re-adds and checks against the aggregate before it helps decrypt.
 */
export async function getRoundSubmissions(ctx: DomainContext, site: AuthenticatedSite, roundId: string): Promise<{ header: SubmissionsHeader; parts: Uint8Array[] }> {
  const round = await loadForDecryptor(ctx, site, roundId);
  const accepted = await ctx.db.select().from(submissions).where(eq(submissions.roundId, roundId)).orderBy(asc(submissions.receivedAt), asc(submissions.siteId));
  const chunks = await ctx.db
    .select()
    .from(submissionChunks)
    .where(eq(submissionChunks.roundId, roundId))
    .orderBy(asc(submissionChunks.siteId), asc(submissionChunks.chunkIndex));
  const parts = accepted.flatMap((s) => chunks.filter((c) => c.siteId === s.siteId).map((c) => c.ciphertext));
  return {
    header: {
      studyId: round.row.studyId,
      roundId,
      chunkCount: round.encoding.chunkCount,
      submissions: accepted.map((s) => ({ siteId: s.siteId, payloadSha256: s.payloadHash, signature: s.signature })),
    },
    parts,
  };
}
