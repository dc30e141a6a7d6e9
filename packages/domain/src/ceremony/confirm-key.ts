import { modelVersions, rounds, studies, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, desc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { openRound } from '../rounds/open-round.ts';
import { failStudy } from '../studies/finish-study.ts';
import { loadStudy } from '../studies/load-study.ts';
import { requireParticipation } from '../studies/participation.ts';
import { inTransaction } from '../transaction.ts';
import { committeeOf, pointOf } from './committee.ts';

export interface KeyConfirmation {
  accepted: boolean;
  ceremonyComplete: boolean;
  /** Why a confirmation was not accepted (the study failed): the member computed another key. */
  problem: string | null;
}

/**
 * Ceremony stage `combine`, last step: a member has opened the shares dealt to it, kept its
 * threshold key share, and recomputed the collective public key from the signed public-key shares.
 * It confirms the hash it computed. When every member confirms the key the hub published, the study
 * runs; a different hash means the hub served inconsistent key material, and the study fails.
 */
export async function confirmKey(ctx: DomainContext, site: AuthenticatedSite, input: { studyId: string; epoch: number; publicKeyHash: string }): Promise<KeyConfirmation> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, input.studyId, { forUpdate: true });
    await requireParticipation(tx, site, input.studyId, 'key confirmation', study.row);
    pointOf(study, site);
    const members = await tx.select().from(studySites).where(eq(studySites.studyId, input.studyId));
    const member = members.find((m) => m.siteId === site.siteId)!;
    if (member.confirmedPublicKeyHash === input.publicKeyHash && input.epoch === study.row.keyEpoch) {
      return { accepted: true, ceremonyComplete: study.row.status !== 'keygen', problem: null };
    }
    if (study.row.status !== 'keygen') throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is not in its key ceremony (status ${study.row.status})`);
    if (input.epoch !== study.row.keyEpoch) {
      throw new AppError(ErrorCode.CONFLICT, `Key epoch ${input.epoch} is over; study "${study.row.name}" is in epoch ${study.row.keyEpoch}`);
    }
    const committee = committeeOf(study);
    if (committee.some((id) => !members.find((m) => m.siteId === id)?.dealtAt)) {
      throw new AppError(ErrorCode.WRONG_STATE, `Not every committee member of study "${study.row.name}" has dealt its shares yet`);
    }
    if (input.publicKeyHash !== study.row.publicKeyHash) {
      const problem = `committee member "${site.siteName}" recomputed the collective public key as ${input.publicKeyHash.slice(0, 12)}…, but the hub published ${study.row.publicKeyHash?.slice(0, 12)}…: the key material served was inconsistent`;
      await failStudy(ctx, tx, audit, study, problem);
      return { accepted: false, ceremonyComplete: false, problem };
    }
    await tx.update(studySites).set({ confirmedPublicKeyHash: input.publicKeyHash }).where(and(eq(studySites.studyId, input.studyId), eq(studySites.siteId, site.siteId)));
    audit.record({ action: 'site.key_confirmed', actor: `site:${site.siteId}`, studyId: input.studyId, siteId: site.siteId, payload: { epoch: input.epoch, publicKeyHash: input.publicKeyHash } });
    const confirmed = committee.filter((id) => id === site.siteId || members.find((m) => m.siteId === id)?.confirmedPublicKeyHash === input.publicKeyHash);
    if (confirmed.length < committee.length) return { accepted: true, ceremonyComplete: false, problem: null };

    await tx.update(studies).set({ status: 'running' }).where(eq(studies.id, input.studyId));
    const shareHashes = Object.fromEntries(committee.map((id) => [id, members.find((m) => m.siteId === id)!.keyShareHash!]));
    audit.record({ action: 'study.key_ceremony_completed', actor: 'hub', studyId: input.studyId, payload: { epoch: study.row.keyEpoch, publicKeyHash: input.publicKeyHash, shareHashes } });
    await openNextRound(ctx, tx, audit, { ...study, row: { ...study.row, status: 'running' } });
    return { accepted: true, ceremonyComplete: true, problem: null };
  });
}

/**
 * The first round under a new key: the statistics round of a new study, or (after re-keying) the next
 * training round from the latest global model.
 */
async function openNextRound(ctx: DomainContext, tx: Parameters<typeof openRound>[1], audit: Parameters<typeof openRound>[2], study: Parameters<typeof openRound>[3]): Promise<void> {
  const [last] = await tx.select().from(rounds).where(eq(rounds.studyId, study.row.id)).orderBy(desc(rounds.index)).limit(1);
  if (!last || study.row.statistics === null) {
    await openRound(ctx, tx, audit, study, { index: last ? last.index + 1 : 0, kind: 'stats', baseModelVersionId: null });
    return;
  }
  const [model] = await tx.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.studyId, study.row.id)).orderBy(desc(modelVersions.version)).limit(1);
  await openRound(ctx, tx, audit, study, { index: last.index + 1, kind: 'train', baseModelVersionId: model?.id ?? null });
}
