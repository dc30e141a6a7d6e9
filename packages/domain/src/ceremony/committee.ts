import { sites, studySites, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import type { CommitteeMember, RosterEntry } from '@consilium/schemas';
import { and, asc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { LoadedStudy } from '../studies/load-study.ts';

/**
 * The decryption committee of a study's current key epoch: site ids in order, member k holding the
 * Shamir evaluation point k + 1. Fixed when the ceremony begins (see begin-ceremony.ts).
 */
export function committeeOf(study: LoadedStudy): string[] {
  const committee = study.row.committee;
  if (!committee || committee.length === 0 || !study.row.threshold) {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has no decryption committee yet (status ${study.row.status})`);
  }
  return committee;
}

/** The committee as tasks name it: site id and Shamir point. */
export function committeeMembers(committee: readonly string[]): CommitteeMember[] {
  return committee.map((siteId, index) => ({ siteId, point: index + 1 }));
}

/** The caller's Shamir point; FORBIDDEN when the site is not on the committee. */
export function pointOf(study: LoadedStudy, site: AuthenticatedSite): number {
  const index = committeeOf(study).indexOf(site.siteId);
  if (index < 0) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not on the decryption committee of study "${study.row.name}"`);
  return index + 1;
}

/**
 * Every member site of the study that approved taking part, with its identity key, in enrolment order. Agents pin this at the
 * ceremony: signatures on submissions and key material are checked against it, never against keys
 * the hub serves later.
 */
export async function studyRoster(db: Executor, studyId: string): Promise<RosterEntry[]> {
  return db
    .select({ siteId: sites.id, name: sites.name, publicKey: sites.publicKey })
    .from(studySites)
    .innerJoin(sites, eq(sites.id, studySites.siteId))
    .where(and(eq(studySites.studyId, studyId), eq(studySites.consent, 'approved')))
    .orderBy(asc(studySites.joinedAt), asc(studySites.siteId));
}
