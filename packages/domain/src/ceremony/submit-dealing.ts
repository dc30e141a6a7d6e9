import { dealtShares, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { requireParticipation } from '../studies/participation.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';
import { committeeOf, pointOf } from './committee.ts';

export interface DealingReceipt {
  accepted: boolean;
  duplicate: boolean;
  /** Dealers whose shares are in so far (of the committee size). */
  dealersSoFar: number;
}

/** A sealed Shamir share: a 2-prime N=8192 share is 128 KiB plus headers; anything far larger is not one. */
const MAX_SEALED_SHARE_BYTES = 512 * 1024;

/**
 * Ceremony stage `deal`: a committee member uploads its Shamir shares of s_i, one per committee
 * member in committee order, each sealed to the recipient's box key. The hub stores them for the
 * recipients to fetch; it cannot open them.
 */
export async function submitDealing(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<DealingReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'dealing', maxParts: 1000, maxPartBytes: MAX_SEALED_SHARE_BYTES }, ctx.limits);
  const { studyId, payloadSha256 } = upload.header;
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, studyId, { forUpdate: true });
    await requireParticipation(tx, site, studyId, 'dealing', study.row);
    pointOf(study, site);
    const members = await tx.select().from(studySites).where(eq(studySites.studyId, studyId));
    const member = members.find((m) => m.siteId === site.siteId)!;
    // A re-send of the accepted dealing (the agent crashed before recording the receipt) is answered
    // as such even once the ceremony has moved on, as key shares and confirmations are.
    if (member.dealtAt && member.dealingSignature === upload.header.signature) {
      return { accepted: true, duplicate: true, dealersSoFar: members.filter((m) => m.dealtAt).length };
    }
    if (study.row.status !== 'keygen') throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is not in its key ceremony (status ${study.row.status})`);
    if (member.dealtAt) throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already dealt its shares for this key epoch`);
    const committee = committeeOf(study);
    if (!study.row.publicKey) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is still collecting public-key shares; deal once every committee member has published one`);
    }
    if (upload.parts.length !== committee.length) {
      throw new AppError(ErrorCode.INVALID_INPUT, `A dealing carries one sealed share per committee member (${committee.length}); got ${upload.parts.length}`);
    }
    await tx.insert(dealtShares).values(
      committee.map((recipientSiteId, i) => ({ studyId, epoch: study.row.keyEpoch, dealerSiteId: site.siteId, recipientSiteId, sealed: upload.parts[i]! })),
    );
    await tx.update(studySites).set({ dealtAt: ctx.now(), dealingSignature: upload.header.signature }).where(and(eq(studySites.studyId, studyId), eq(studySites.siteId, site.siteId)));
    audit.record({
      action: 'site.shares_dealt',
      actor: `site:${site.siteId}`,
      studyId,
      siteId: site.siteId,
      payload: { epoch: study.row.keyEpoch, payloadHash: payloadSha256, recipients: committee.length },
    });
    return { accepted: true, duplicate: false, dealersSoFar: members.filter((m) => m.dealtAt).length + 1 };
  });
}
