import { studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';

/** The study's collective public key, for a member site to encrypt under. */
export async function getCollectivePublicKey(ctx: DomainContext, input: { studyId: string; siteId: string }): Promise<{ publicKey: Uint8Array; hash: string }> {
  const [member] = await ctx.db.select().from(studySites).where(and(eq(studySites.studyId, input.studyId), eq(studySites.siteId, input.siteId)));
  if (!member) throw new AppError(ErrorCode.FORBIDDEN, 'This site is not part of the study');
  const study = await loadStudy(ctx.db, input.studyId);
  if (!study.row.publicKey || !study.row.publicKeyHash) {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has no collective key yet (status ${study.row.status})`);
  }
  return { publicKey: study.row.publicKey, hash: study.row.publicKeyHash };
}
