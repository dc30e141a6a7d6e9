import { dealtShares, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { DealtSharesHeader, KeySharesHeader } from '@consilium/schemas';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { committeeOf, pointOf } from './committee.ts';

/**
 * Every committee member's signed `share` upload (public-key share and box key), for a member to
 * check the signatures against its pinned roster, seal its dealt shares to the right keys, and
 * recompute the collective public key itself.
 */
export async function getCeremonyKeyShares(ctx: DomainContext, site: AuthenticatedSite, studyId: string): Promise<{ header: KeySharesHeader; parts: Uint8Array[] }> {
  const study = await loadStudy(ctx.db, studyId);
  pointOf(study, site);
  const committee = committeeOf(study);
  const members = await ctx.db.select().from(studySites).where(eq(studySites.studyId, studyId));
  const rows = committee.map((siteId) => members.find((m) => m.siteId === siteId));
  if (rows.some((m) => !m?.keyShare || !m.boxPublicKey || !m.keyShareHash || !m.keyShareSignature)) {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is still collecting public-key shares`);
  }
  return {
    header: {
      studyId,
      epoch: study.row.keyEpoch,
      members: rows.map((m) => ({ siteId: m!.siteId, payloadSha256: m!.keyShareHash!, signature: m!.keyShareSignature! })),
    },
    parts: rows.flatMap((m) => [m!.keyShare!, m!.boxPublicKey!]),
  };
}

/** The sealed shares every dealer addressed to the caller, in committee order, once all have dealt. */
export async function getDealtShares(ctx: DomainContext, site: AuthenticatedSite, studyId: string): Promise<{ header: DealtSharesHeader; parts: Uint8Array[] }> {
  const study = await loadStudy(ctx.db, studyId);
  pointOf(study, site);
  const committee = committeeOf(study);
  const rows = await ctx.db
    .select()
    .from(dealtShares)
    .where(and(eq(dealtShares.studyId, studyId), eq(dealtShares.epoch, study.row.keyEpoch), eq(dealtShares.recipientSiteId, site.siteId)));
  const ordered = committee.map((dealer) => rows.find((r) => r.dealerSiteId === dealer));
  if (ordered.some((r) => !r)) throw new AppError(ErrorCode.WRONG_STATE, `Not every committee member of study "${study.row.name}" has dealt its shares yet`);
  return { header: { studyId, epoch: study.row.keyEpoch, dealers: committee.map((siteId) => ({ siteId })) }, parts: ordered.map((r) => r!.sealed) };
}
