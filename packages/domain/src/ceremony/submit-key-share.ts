import { studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import { combinePublicKeyShares, crpSeedBinding, parseShare, rnsLevels, ShareKind, validatePublicKeyShare, type CkksContext } from '@consilium/secagg';
import { studies } from '@consilium/db';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { checkParticipation, requireParticipation } from '../studies/participation.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';
import { committeeOf, pointOf } from './committee.ts';

export interface KeyShareReceipt {
  accepted: boolean;
  /** true when this share was already recorded (a retry): nothing changed. */
  duplicate: boolean;
  ceremonyComplete: boolean;
}

/** Raw X25519 public keys are 32 bytes. */
export const BOX_PUBLIC_KEY_BYTES = 32;

/**
 * Ceremony stage `share`: records a committee member's public-key share p0_i and the box key the
 * others seal its Shamir shares to (both under the member's payload signature, so the hub cannot
 * swap in a box key of its own). Once every member's is in, the hub sums the p0_i into the
 * collective public key — it learns nothing secret, each is an RLWE sample — and dealing begins.
 */
export async function submitKeyShare(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<KeyShareReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'keyshare', maxParts: 2, maxPartBytes: 4 * 1024 * 1024 }, ctx.limits);
  const [share, boxPublicKey] = upload.parts;
  if (!share || !boxPublicKey || upload.parts.length !== 2) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'A key-share upload carries two parts: the public-key share, then the 32-byte box public key');
  }
  if (boxPublicKey.byteLength !== BOX_PUBLIC_KEY_BYTES) {
    throw new AppError(ErrorCode.INVALID_INPUT, `The box public key must be ${BOX_PUBLIC_KEY_BYTES} bytes (raw X25519); got ${boxPublicKey.byteLength}`);
  }
  const { studyId, payloadSha256 } = upload.header;
  await requireParticipation(ctx.db, site, studyId, 'key share');
  const specStudy = await loadStudy(ctx.db, studyId);
  if (specStudy.spec.privacy.secureAggregation !== 'ckks-multiparty') {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${specStudy.row.name}" does not use encryption; it has no key ceremony`);
  }
  const context = await ctx.crypto.context(specStudy.spec.privacy.ckks);
  validatePublicKeyShare(context, share);
  // The seed is fixed when the ceremony starts; a study not in its ceremony is refused below.
  if (specStudy.row.crpSeed) checkShareSeed(context, share, specStudy.row.crpSeed);

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, studyId, { forUpdate: true });
    const members = await tx.select().from(studySites).where(eq(studySites.studyId, studyId));
    const member = members.find((m) => m.siteId === site.siteId);
    if (!member) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not part of study "${study.row.name}"`);
    checkParticipation(site, study.row, member.consent, 'key share');
    if (member.keyShareHash) {
      if (member.keyShareHash === payloadSha256) return { accepted: true, duplicate: true, ceremonyComplete: study.row.status !== 'keygen' };
      throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already published a different key share for this key epoch`);
    }
    if (study.row.status !== 'keygen' || !study.row.crpSeed) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" is not in its key ceremony (status ${study.row.status})`);
    }
    pointOf(study, site);
    // Checked again under the lock: the seed may have been drawn after the first, unlocked read.
    checkShareSeed(context, share, study.row.crpSeed);
    await tx
      .update(studySites)
      .set({ keyShare: share, keyShareHash: payloadSha256, keyShareSignature: upload.header.signature, keyShareAt: ctx.now(), boxPublicKey })
      .where(and(eq(studySites.studyId, studyId), eq(studySites.siteId, site.siteId)));
    audit.record({ action: 'site.key_share_accepted', actor: `site:${site.siteId}`, studyId, siteId: site.siteId, payload: { shareHash: payloadSha256, bytes: upload.bytes } });

    const committee = committeeOf(study);
    const shares = committee.map((id) => (id === site.siteId ? share : members.find((m) => m.siteId === id)?.keyShare ?? null));
    if (shares.some((s) => s === null)) return { accepted: true, duplicate: false, ceremonyComplete: false };
    const publicKey = combinePublicKeyShares(context, study.row.crpSeed, shares as Uint8Array[]);
    await tx.update(studies).set({ publicKey, publicKeyHash: sha256Hex(publicKey) }).where(eq(studies.id, studyId));
    return { accepted: true, duplicate: false, ceremonyComplete: false };
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
