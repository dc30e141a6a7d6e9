import { contributionClaims, rounds } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { claimPayloadHash, verifyPayloadSignature } from '@consilium/protocol';
import type { ContributionClaim } from '@consilium/schemas';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { requireParticipation } from '../studies/participation.ts';

/** Which claim each kind of round takes. */
const CLAIM_FOR_ROUND = { stats: 'declaration', train: 'training' } as const;

/**
 * Records what a site signs about its own work for a round it was asked to join: its declaration in
 * the statistics round, its training claim in a training round. A claim is accepted only while the
 * round still collects (before anyone has seen its result) and cannot be changed afterwards; the same
 * claim sent again is a no-op. Settlement bounds and cross-checks it (docs/contribution.md).
 */
export async function reportClaim(
  ctx: DomainContext,
  site: AuthenticatedSite,
  input: { studyId: string; roundId: string; claim: ContributionClaim; signature: string },
): Promise<{ recorded: boolean }> {
  const payloadHash = claimPayloadHash({ roundId: input.roundId, claim: input.claim });
  verifyPayloadSignature({
    publicKey: site.publicKey,
    purpose: 'claim',
    studyId: input.studyId,
    roundId: input.roundId,
    siteId: site.siteId,
    payloadSha256: payloadHash,
    signature: input.signature,
  });
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [round] = await tx.select().from(rounds).where(eq(rounds.id, input.roundId));
    if (!round || round.studyId !== input.studyId) throw new AppError(ErrorCode.NOT_FOUND, `Round ${input.roundId} is not part of study ${input.studyId}`);
    await requireParticipation(tx, site, input.studyId, 'contribution claim');
    if (!round.participants.includes(site.siteId)) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" was not asked to take part in round ${round.index}`);
    const expected = CLAIM_FOR_ROUND[round.kind];
    if (input.claim.kind !== expected)
      throw new AppError(ErrorCode.INVALID_INPUT, `A ${round.kind} round takes a ${expected} claim, not a ${input.claim.kind} claim`);

    const [existing] = await tx
      .select({ payloadHash: contributionClaims.payloadHash })
      .from(contributionClaims)
      .where(and(eq(contributionClaims.roundId, round.id), eq(contributionClaims.siteId, site.siteId)));
    if (existing) {
      if (existing.payloadHash === payloadHash) return { recorded: false };
      throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already signed a different claim for round ${round.index}; a claim cannot be changed`);
    }
    if (round.status !== 'open' && round.status !== 'collecting')
      throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.index} no longer takes claims (it is ${round.status})`);

    await tx.insert(contributionClaims).values({
      roundId: round.id,
      siteId: site.siteId,
      studyId: input.studyId,
      kind: input.claim.kind,
      claim: input.claim,
      payloadHash,
      signature: input.signature,
      receivedAt: ctx.now(),
    });
    audit.record({
      action: 'contribution.claim_reported',
      actor: `site:${site.siteId}`,
      studyId: input.studyId,
      siteId: site.siteId,
      roundId: round.id,
      payload: { index: round.index, claim: input.claim, payloadHash },
    });
    return { recorded: true };
  });
}
