import { roundChunks, submissionChunks, submissions } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { AggregateHeader, SubmissionsHeader } from '@consilium/schemas';
import { and, asc, count, eq, sql } from 'drizzle-orm';
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
 * A download too large to hold in memory at once: its header, how many parts follow and their total
 * size (for the envelope's head and Content-Length), and the parts, read as the consumer asks.
 */
export interface StreamedDownload<Header> {
  header: Header;
  partCount: number;
  partBytes: number;
  parts: AsyncIterable<Uint8Array>;
}

/**
 * Every accepted submission of a sealed round with its site's payload signature and ciphertext
 * chunks: what a decryptor re-adds and checks against the aggregate before it helps decrypt.
 *
 * 200 submissions are ≈ 300 MB, and each decryptor fetches them, so the chunks are read one
 * submission at a time as they are sent (in the order of the header: by receipt, then site). No
 * transaction spans the pages: a sealed round takes no more submissions and accepted ones never
 * change, so the pages agree with the header. The one change possible meanwhile is the chunks'
 * deletion when the round is decrypted or failed; a page that no longer holds its submission's
 * chunks ends the download with an error rather than a short envelope.
 */
export async function getRoundSubmissions(ctx: DomainContext, site: AuthenticatedSite, roundId: string): Promise<StreamedDownload<SubmissionsHeader>> {
  const round = await loadForDecryptor(ctx, site, roundId);
  const accepted = await ctx.db
    .select({ siteId: submissions.siteId, payloadHash: submissions.payloadHash, signature: submissions.signature })
    .from(submissions)
    .where(eq(submissions.roundId, roundId))
    .orderBy(asc(submissions.receivedAt), asc(submissions.siteId));
  // octet_length of a stored bytea reads its size, not its bytes.
  const sizes = await ctx.db
    .select({ siteId: submissionChunks.siteId, chunks: count(), bytes: sql<string>`sum(octet_length(${submissionChunks.ciphertext}))` })
    .from(submissionChunks)
    .where(eq(submissionChunks.roundId, roundId))
    .groupBy(submissionChunks.siteId);
  const sizeOf = new Map(sizes.map((s) => [s.siteId, { chunks: s.chunks, bytes: Number(s.bytes) }]));
  const pages = accepted.map((s) => ({ siteId: s.siteId, chunks: sizeOf.get(s.siteId)?.chunks ?? 0 }));
  return {
    header: {
      studyId: round.row.studyId,
      roundId,
      chunkCount: round.encoding.chunkCount,
      submissions: accepted.map((s) => ({ siteId: s.siteId, payloadSha256: s.payloadHash, signature: s.signature })),
    },
    partCount: pages.reduce((n, p) => n + p.chunks, 0),
    partBytes: accepted.reduce((n, s) => n + (sizeOf.get(s.siteId)?.bytes ?? 0), 0),
    parts: submissionChunkPages(ctx, roundId, pages),
  };
}

/** The ciphertext chunks of each submission in turn, one query per submission. */
async function* submissionChunkPages(ctx: DomainContext, roundId: string, pages: Array<{ siteId: string; chunks: number }>): AsyncGenerator<Uint8Array> {
  for (const page of pages) {
    const rows = await ctx.db
      .select({ ciphertext: submissionChunks.ciphertext })
      .from(submissionChunks)
      .where(and(eq(submissionChunks.roundId, roundId), eq(submissionChunks.siteId, page.siteId)))
      .orderBy(asc(submissionChunks.chunkIndex));
    if (rows.length !== page.chunks) {
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${roundId}'s submissions were removed while they were being downloaded`);
    }
    for (const row of rows) yield row.ciphertext;
  }
}
