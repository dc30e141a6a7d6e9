import { roundChunks } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { AggregateHeader } from '@consilium/schemas';
import { asc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadRound } from './load-round.ts';

/** The sealed aggregate of a round, for a key holder to partially decrypt. */
export async function getAggregateForDecryption(
  ctx: DomainContext,
  site: AuthenticatedSite,
  roundId: string,
): Promise<{ header: AggregateHeader; parts: Uint8Array[] }> {
  const round = await loadRound(ctx.db, roundId);
  if (!round.row.participants.includes(site.siteId)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" holds no key share for round ${round.row.index}`);
  }
  if (round.row.status !== 'decrypting' || !round.row.aggregateHash) {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} has no aggregate awaiting decryption (status ${round.row.status})`);
  }
  const chunks = await ctx.db.select({ accumulator: roundChunks.accumulator }).from(roundChunks).where(eq(roundChunks.roundId, roundId)).orderBy(asc(roundChunks.chunkIndex));
  return {
    header: { studyId: round.row.studyId, roundId, chunkCount: chunks.length, aggregateHash: round.row.aggregateHash },
    parts: chunks.map((c) => c.accumulator),
  };
}
