import { decryptionShares, rounds, sites, studies, submissions } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';

/** One upload of a site the hub accepted, as the hub recorded it: what the agent's transfer log shows too. */
export interface SiteUpload {
  studyId: string;
  studyName: string;
  roundId: string;
  roundIndex: number;
  kind: 'submission' | 'decryption-share';
  /** SHA-256 of the payload (every ciphertext of the upload, in order): the agent logs the same hash. */
  payloadSha256: string;
  /** Payload bytes, as the agent logs them. */
  bytes: number;
  receivedAt: Date;
}

/**
 * What left a site, round by round, as the hub accepted it: every encrypted update and every partial
 * decryption, with its size and payload hash, oldest first. A site administrator compares it with
 * the agent's own log (`consilium-agent log`): the same uploads, sizes and hashes.
 */
export async function listSiteUploads(ctx: DomainContext, input: { siteName: string; studyId?: string | undefined }): Promise<SiteUpload[]> {
  const [site] = await ctx.db.select({ id: sites.id }).from(sites).where(eq(sites.name, input.siteName));
  if (!site) throw new AppError(ErrorCode.NOT_FOUND, `No site named "${input.siteName}"`, { details: { siteName: input.siteName } });
  const studyFilter = input.studyId ? eq(rounds.studyId, input.studyId) : undefined;
  const columns = { studyId: studies.id, studyName: studies.name, roundId: rounds.id, roundIndex: rounds.index };
  const [updates, shares] = await Promise.all([
    ctx.db
      .select({ ...columns, payloadSha256: submissions.payloadHash, bytes: submissions.payloadBytes, receivedAt: submissions.receivedAt })
      .from(submissions)
      .innerJoin(rounds, eq(rounds.id, submissions.roundId))
      .innerJoin(studies, eq(studies.id, rounds.studyId))
      .where(and(eq(submissions.siteId, site.id), studyFilter)),
    ctx.db
      .select({ ...columns, payloadSha256: decryptionShares.payloadHash, bytes: decryptionShares.payloadBytes, receivedAt: decryptionShares.receivedAt })
      .from(decryptionShares)
      .innerJoin(rounds, eq(rounds.id, decryptionShares.roundId))
      .innerJoin(studies, eq(studies.id, rounds.studyId))
      .where(and(eq(decryptionShares.siteId, site.id), studyFilter)),
  ]);
  return [...updates.map((u) => ({ ...u, kind: 'submission' as const })), ...shares.map((s) => ({ ...s, kind: 'decryption-share' as const }))].sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.roundIndex - b.roundIndex,
  );
}
