import { enrollmentTokens } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { isEndedStudyStatus } from '@consilium/schemas';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { hashToken, newSecretToken } from '../secrets.ts';
import { inTransaction } from '../transaction.ts';

export interface IssuedToken {
  tokenId: string;
  /** Shown once: only its hash is stored. */
  token: string;
  siteName: string;
  expiresAt: Date;
}

/** Issues a one-time enrolment token that lets the named site join a study. */
export async function issueEnrollmentToken(
  ctx: DomainContext,
  input: { studyId: string; siteName: string; actor: string; ttlMs?: number },
): Promise<IssuedToken> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, input.studyId);
    if (isEndedStudyStatus(study.row.status)) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has ended (status ${study.row.status}); no site can join it`);
    }
    const token = newSecretToken('cst');
    const expiresAt = new Date(ctx.now().getTime() + (input.ttlMs ?? ctx.limits.enrollmentTokenTtlMs));
    const [row] = await tx
      .insert(enrollmentTokens)
      .values({ tokenHash: hashToken(token), studyId: input.studyId, siteName: input.siteName, expiresAt, createdAt: ctx.now() })
      .returning({ id: enrollmentTokens.id });
    audit.record({
      action: 'enrollment.token_issued',
      actor: input.actor,
      studyId: input.studyId,
      payload: { siteName: input.siteName, expiresAt: expiresAt.toISOString() },
    });
    return { tokenId: row!.id, token, siteName: input.siteName, expiresAt };
  });
}
