import { studies, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import { combinePublicKeyShares, crpSeedBinding, parseShare, rnsLevels, ShareKind, validatePublicKeyShare, type CkksContext } from '@consilium/secagg';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { openRound } from '../rounds/open-round.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';

export interface KeyShareReceipt {
  accepted: boolean;
  /** true when this share was already recorded (a retry): nothing changed. */
  duplicate: boolean;
  ceremonyComplete: boolean;
}

/**
 * Records a site's public-key share. When every site of the study has published one, the hub sums
 * them into the collective public key (it learns nothing secret: each share is an RLWE sample) and
 * opens the statistics round.
 */
export async function submitKeyShare(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<KeyShareReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'keyshare', maxParts: 1, maxPartBytes: 4 * 1024 * 1024 }, ctx.limits);
  const share = upload.parts[0];
  if (!share) throw new AppError(ErrorCode.INVALID_INPUT, 'A key-share upload must carry exactly one part');
  const { studyId } = upload.header;
  const specStudy = await loadStudy(ctx.db, studyId);
  if (specStudy.spec.privacy.secureAggregation !== 'ckks-multiparty') {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${specStudy.row.name}" does not use encryption; it has no key ceremony`);
  }
  const context = await ctx.crypto.context(specStudy.spec.privacy.ckks);
  validatePublicKeyShare(context, share);
  // The seed is fixed when the study starts; one not yet started is refused below (not in keygen).
  if (specStudy.row.crpSeed) checkShareSeed(context, share, specStudy.row.crpSeed);
  const shareHash = sha256Hex(share);

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, studyId, { forUpdate: true });
    const members = await tx.select().from(studySites).where(eq(studySites.studyId, studyId));
    const member = members.find((m) => m.siteId === site.siteId);
    if (!member) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not part of study "${study.row.name}"`);
    if (member.keyShareHash) {
      if (member.keyShareHash === shareHash) return { accepted: true, duplicate: true, ceremonyComplete: study.row.status !== 'keygen' };
      throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already published a different key share for this study`);
    }
    if (study.row.status !== 'keygen' || !study.row.crpSeed) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is not in its key ceremony (status ${study.row.status})`);
    }
    // Checked again under the lock: the seed may have been drawn after the first, unlocked read.
    checkShareSeed(context, share, study.row.crpSeed);
    const now = ctx.now();
    await tx
      .update(studySites)
      .set({ keyShare: share, keyShareHash: shareHash, keyShareSignature: upload.header.signature, keyShareAt: now })
      .where(and(eq(studySites.studyId, studyId), eq(studySites.siteId, site.siteId)));
    audit.record({
      action: 'site.key_share_accepted',
      actor: `site:${site.siteId}`,
      studyId,
      siteId: site.siteId,
      payload: { shareHash, bytes: share.byteLength },
    });

    const shares = members.map((m) => (m.siteId === site.siteId ? share : m.keyShare));
    if (shares.some((s) => s === null)) return { accepted: true, duplicate: false, ceremonyComplete: false };

    const crpSeed = study.row.crpSeed;
    if (!crpSeed) throw new AppError(ErrorCode.INTERNAL, `Study ${studyId} is in its key ceremony without a public seed`);
    const publicKey = combinePublicKeyShares(context, crpSeed, shares as Uint8Array[]);
    const publicKeyHash = sha256Hex(publicKey);
    await tx.update(studies).set({ publicKey, publicKeyHash, status: 'running' }).where(eq(studies.id, studyId));
    const shareHashes = Object.fromEntries(members.map((m) => [m.siteId, m.siteId === site.siteId ? shareHash : m.keyShareHash!]));
    audit.record({ action: 'study.key_ceremony_completed', actor: 'hub', studyId, payload: { publicKeyHash, shareHashes } });
    await openRound(ctx, tx, audit, { ...study, row: { ...study.row, status: 'running' } }, { index: 0, kind: 'stats', baseModelVersionId: null });
    return { accepted: true, duplicate: false, ceremonyComplete: true };
  });
}

/**
 * A share made against another public seed is well formed, but summing it would fail only when the
 * last share arrives, inside that site's upload, leaving the ceremony stuck: refuse it now.
 */
function checkShareSeed(context: CkksContext, share: Uint8Array, crpSeed: Uint8Array): void {
  const { binding } = parseShare(share, ShareKind.publicKey, rnsLevels(context).key);
  if (!Buffer.from(binding).equals(crpSeedBinding(crpSeed))) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'This public key share was made for another key ceremony (a different public seed); make it again from the current keygen task');
  }
}
