import { randomBytes } from 'node:crypto';
import { dealtShares, sites, studies, studySites, type Transaction } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { committeePlan } from '@consilium/schemas';
import { and, asc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';

/**
 * Starts a key ceremony for the study's next key epoch (the first one when the study starts; later
 * ones when the committee changes, see rekey-study.ts). The committee is the first `size` active
 * member sites that approved the study, by enrolment; a fresh public seed makes every earlier share useless for this epoch.
 */
export async function beginKeyCeremony(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy, input: { epoch: number; actor: string }): Promise<void> {
  const members = await tx
    .select({ siteId: studySites.siteId })
    .from(studySites)
    .innerJoin(sites, eq(sites.id, studySites.siteId))
    .where(and(eq(studySites.studyId, study.row.id), eq(studySites.consent, 'approved'), eq(sites.status, 'active')))
    .orderBy(asc(studySites.joinedAt), asc(studySites.siteId));
  const plan = committeePlan(study.spec, members.length);
  if (plan.size < 2) {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" needs at least 2 active sites that approved it for a decryption committee; it has ${members.length}`);
  }
  const committee = members.slice(0, plan.size).map((m) => m.siteId);
  const crpSeed = randomBytes(32);
  // Each epoch's ceremony starts from nothing: shares of an earlier epoch are never reused.
  await tx
    .update(studySites)
    .set({ keyShare: null, keyShareHash: null, keyShareSignature: null, keyShareAt: null, boxPublicKey: null, dealtAt: null, dealingSignature: null, confirmedPublicKeyHash: null })
    .where(eq(studySites.studyId, study.row.id));
  await tx.delete(dealtShares).where(eq(dealtShares.studyId, study.row.id));
  await tx
    .update(studies)
    .set({ status: 'keygen', crpSeed, keyEpoch: input.epoch, committee, threshold: plan.threshold, publicKey: null, publicKeyHash: null, ceremonyStartedAt: ctx.now() })
    .where(eq(studies.id, study.row.id));
  audit.record({
    action: 'study.key_ceremony_started',
    actor: input.actor,
    studyId: study.row.id,
    payload: { epoch: input.epoch, committee, threshold: plan.threshold, crpSeed: crpSeed.toString('hex') },
  });
}
