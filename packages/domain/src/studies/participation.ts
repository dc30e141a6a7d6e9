import { studies, studySites, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { StudyRow } from './load-study.ts';

/** What a site uploads to a study; named in refusals. */
export type SiteUploadKind =
  | 'key share'
  | 'dealing'
  | 'key confirmation'
  | 'submission'
  | 'decryption share'
  | 'evaluation'
  | 'contribution claim';

/**
 * Refuses an upload from a member site that does not take part in the study now: it has not
 * approved the study or has withdrawn (CONSENT_REQUIRED), or the study is paused (STUDY_PAUSED,
 * retryable: the agent keeps the upload and sends it again after the study resumes). A site that is
 * not a member at all is left to the caller's own checks, which refuse it with their own message
 * (not a participant of the round, not on the committee…). Runs before anything is stored. On the
 * caller's transaction when it has one: a query on another connection would wait forever for it on PGlite.
 */
export async function requireParticipation(db: Executor, site: AuthenticatedSite, studyId: string, what: SiteUploadKind, loaded?: StudyRow): Promise<void> {
  const study = loaded ?? (await db.select().from(studies).where(eq(studies.id, studyId)))[0];
  if (!study) return; // the caller's own checks name the problem
  const [member] = await db
    .select({ consent: studySites.consent })
    .from(studySites)
    .where(and(eq(studySites.studyId, studyId), eq(studySites.siteId, site.siteId)));
  if (!member) return;
  checkParticipation(site, study, member.consent, what);
}

/** The checks of `requireParticipation` on rows the caller has already read. */
export function checkParticipation(site: { siteName: string }, study: StudyRow, consent: string, what: SiteUploadKind): void {
  if (consent !== 'approved') {
    throw new AppError(
      ErrorCode.CONSENT_REQUIRED,
      `Site "${site.siteName}" has not approved taking part in study "${study.name}" (its consent is ${consent}): the hub accepts no ${what} from it for this study. A site administrator can approve the study in the portal.`,
      { details: { studyId: study.id, consent } },
    );
  }
  if (study.pausedAt) {
    throw new AppError(
      ErrorCode.STUDY_PAUSED,
      `Study "${study.name}" is paused (since ${study.pausedAt.toISOString()}): the hub accepts no ${what} for it until it resumes; keep it and send it again then`,
      { details: { studyId: study.id, pausedAt: study.pausedAt.toISOString() } },
    );
  }
}
