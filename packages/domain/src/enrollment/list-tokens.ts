import { enrollmentTokens } from '@consilium/db';
import { desc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';

export type EnrollmentTokenState = 'open' | 'used' | 'expired' | 'revoked';

export interface EnrollmentTokenSummary {
  tokenId: string;
  siteName: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  state: EnrollmentTokenState;
}

/** A study's enrolment tokens, newest first — never the token or its hash, only what became of it. */
export async function listStudyTokens(ctx: DomainContext, studyId: string): Promise<EnrollmentTokenSummary[]> {
  await loadStudy(ctx.db, studyId); // NOT_FOUND for an unknown study
  const rows = await ctx.db
    .select({
      tokenId: enrollmentTokens.id,
      siteName: enrollmentTokens.siteName,
      createdAt: enrollmentTokens.createdAt,
      expiresAt: enrollmentTokens.expiresAt,
      usedAt: enrollmentTokens.usedAt,
      revokedAt: enrollmentTokens.revokedAt,
    })
    .from(enrollmentTokens)
    .where(eq(enrollmentTokens.studyId, studyId))
    .orderBy(desc(enrollmentTokens.createdAt), desc(enrollmentTokens.id));
  const now = ctx.now().getTime();
  return rows.map((row) => ({
    ...row,
    state: row.usedAt ? 'used' : row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= now ? 'expired' : 'open',
  }));
}
