import { studySites, type StudyConsent } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { StudySpec, StudyStatus } from '@consilium/schemas';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import type { AuthenticatedSite } from './authenticate-site.ts';

export interface SiteStudyView {
  id: string;
  name: string;
  status: StudyStatus;
  spec: StudySpec;
  /** Consortium statistics from the statistics round (null until it completes). */
  statistics: unknown;
  totalSamples: number | null;
  publicKeyHash: string | null;
  /** The site's decision on the study: its agent trains and uploads only for `approved`. */
  consent: StudyConsent;
  pausedAt: Date | null;
}

/** What a member site needs to know about a study: its spec, and the consortium statistics. */
export async function getStudyForSite(ctx: DomainContext, site: AuthenticatedSite, studyId: string): Promise<SiteStudyView> {
  const [member] = await ctx.db.select().from(studySites).where(and(eq(studySites.studyId, studyId), eq(studySites.siteId, site.siteId)));
  if (!member) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not part of study ${studyId}`);
  const { row, spec } = await loadStudy(ctx.db, studyId);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    spec,
    statistics: row.statistics,
    totalSamples: row.totalSamples,
    publicKeyHash: row.publicKeyHash,
    consent: member.consent,
    pausedAt: row.pausedAt,
  };
}
