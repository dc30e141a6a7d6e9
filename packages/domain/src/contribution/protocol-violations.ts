import { protocolViolations, submissions, rounds } from '@consilium/db';
import { and, eq, ne } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

export type ProtocolViolationReason = 'invalid-ciphertext' | 'replayed-ciphertext';

/**
 * Records a signed upload the hub refused as a protocol violation, in its own transaction (the
 * refused upload's own changes never happen). Settling the round turns it into proof of misconduct.
 */
export async function recordProtocolViolation(
  ctx: DomainContext,
  site: AuthenticatedSite,
  violation: { studyId: string; roundId: string; reason: ProtocolViolationReason; detail: string; payloadHash: string },
): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    await tx.insert(protocolViolations).values({ ...violation, siteId: site.siteId, createdAt: ctx.now() });
    audit.record({
      action: 'contribution.protocol_violation',
      actor: `site:${site.siteId}`,
      studyId: violation.studyId,
      siteId: site.siteId,
      roundId: violation.roundId,
      payload: { reason: violation.reason, detail: violation.detail, payloadHash: violation.payloadHash },
    });
  });
}

/**
 * The index of an earlier round of the same study in which this site already submitted exactly
 * this payload, if any. Encryption is randomised, so the same ciphertext twice is a replay.
 */
export async function replayedFrom(ctx: DomainContext, siteId: string, studyId: string, roundId: string, payloadHash: string): Promise<number | null> {
  const [earlier] = await ctx.db
    .select({ index: rounds.index })
    .from(submissions)
    .innerJoin(rounds, eq(rounds.id, submissions.roundId))
    .where(and(eq(submissions.siteId, siteId), eq(submissions.payloadHash, payloadHash), eq(rounds.studyId, studyId), ne(rounds.id, roundId)))
    .limit(1);
  return earlier?.index ?? null;
}
