import { enrollmentTokens } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/** Revokes an unused enrolment token. */
export async function revokeEnrollmentToken(ctx: DomainContext, input: { tokenId: string; actor: string }): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [token] = await tx.select().from(enrollmentTokens).where(eq(enrollmentTokens.id, input.tokenId)).for('update');
    if (!token) throw new AppError(ErrorCode.NOT_FOUND, `Enrolment token ${input.tokenId} does not exist`);
    if (token.usedAt) throw new AppError(ErrorCode.WRONG_STATE, `The token for "${token.siteName}" was already used; revoke the site instead (consilium-hub site:revoke)`);
    if (token.revokedAt) return;
    await tx.update(enrollmentTokens).set({ revokedAt: ctx.now() }).where(eq(enrollmentTokens.id, token.id));
    audit.record({ action: 'enrollment.token_revoked', actor: input.actor, studyId: token.studyId, payload: { siteName: token.siteName } });
  });
}
