import { sites, studies, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { fingerprint, verifyKeyRotation } from '@consilium/protocol';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

export interface KeyRotationResult {
  publicKeyFingerprint: string;
  previousFingerprint: string;
  /**
   * Running (or keying) studies of this site: the other members pinned its old key at their key
   * ceremony and check its payloads against that pin until the study is re-keyed.
   */
  pinnedInStudies: Array<{ studyId: string; name: string }>;
}

/**
 * Replaces a site's identity key. The caller proved the old key by signing the request (`site` is
 * what authenticated it) and the new key by signing the rotation statement (`proof`). The old key
 * is refused from the next request on. Recorded as `site.key_rotated`.
 */
export async function rotateSiteKey(ctx: DomainContext, site: AuthenticatedSite, input: { newPublicKey: string; proof: string }): Promise<KeyRotationResult> {
  if (input.newPublicKey === site.publicKey) throw new AppError(ErrorCode.INVALID_INPUT, 'The new identity key is the current one; generate a new key to rotate');
  verifyKeyRotation({ siteId: site.siteId, oldPublicKey: site.publicKey, newPublicKey: input.newPublicKey, proof: input.proof });
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [row] = await tx.select().from(sites).where(eq(sites.id, site.siteId)).for('update');
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'Unknown site');
    if (row.status !== 'active') throw new AppError(ErrorCode.FORBIDDEN, `Site "${row.name}" has been revoked`);
    // Another rotation won the race: this request was signed with a key that is no longer the site's.
    if (row.publicKey !== site.publicKey) throw new AppError(ErrorCode.CONFLICT, 'The identity key was rotated meanwhile; this request was signed with the previous key');
    const [taken] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.publicKey, input.newPublicKey), ne(sites.id, row.id)));
    if (taken) throw new AppError(ErrorCode.CONFLICT, 'This identity key belongs to another site; generate a new key');
    await tx.update(sites).set({ publicKey: input.newPublicKey }).where(eq(sites.id, row.id));
    const previousFingerprint = fingerprint(row.publicKey);
    const publicKeyFingerprint = fingerprint(input.newPublicKey);
    audit.record({ action: 'site.key_rotated', actor: `site:${row.id}`, siteId: row.id, payload: { siteName: row.name, previousFingerprint, publicKeyFingerprint } });
    const pinnedInStudies = await tx
      .select({ studyId: studies.id, name: studies.name })
      .from(studySites)
      .innerJoin(studies, eq(studies.id, studySites.studyId))
      .where(and(eq(studySites.siteId, row.id), inArray(studies.status, ['keygen', 'running'])));
    return { publicKeyFingerprint, previousFingerprint, pinnedInStudies };
  });
}
