import { enrollmentTokens, sites, studies, studySites } from '@consilium/db';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';

/**
 * What an access decision about a study needs: who leads it and which sites are its members.
 * Null when the study does not exist (a scoped caller is then refused as for any study not theirs).
 */
export async function loadStudyAccess(ctx: DomainContext, studyId: string): Promise<{ leadUserId: string | null; siteIds: string[] } | null> {
  const [study] = await ctx.db.select({ leadUserId: studies.leadUserId }).from(studies).where(eq(studies.id, studyId));
  if (!study) return null;
  const members = await ctx.db.select({ siteId: studySites.siteId }).from(studySites).where(eq(studySites.studyId, studyId));
  return { leadUserId: study.leadUserId, siteIds: members.map((m) => m.siteId) };
}

/** The study an enrolment token lets a site join; null when there is no such token. */
export async function studyOfEnrollmentToken(ctx: DomainContext, tokenId: string): Promise<string | null> {
  const [token] = await ctx.db.select({ studyId: enrollmentTokens.studyId }).from(enrollmentTokens).where(eq(enrollmentTokens.id, tokenId));
  return token?.studyId ?? null;
}

/** A site's id from its name; null when there is no such site. */
export async function siteIdByName(ctx: DomainContext, siteName: string): Promise<string | null> {
  const [site] = await ctx.db.select({ id: sites.id }).from(sites).where(eq(sites.name, siteName));
  return site?.id ?? null;
}
