import { auditEvents, sites, studies, studySites, type StudyConsent } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { StudySpec, type StudyStatus } from '@consilium/schemas';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { listSites, type SiteSummary } from './manage-sites.ts';

export interface SiteKeyPeriod {
  fingerprint: string;
  since: Date;
  /** When the key was replaced; null for the current key. */
  until: Date | null;
}

export interface SiteStudyMembership {
  studyId: string;
  studyName: string;
  description: string | null;
  status: StudyStatus;
  pausedAt: Date | null;
  consent: StudyConsent;
  consentDecidedAt: Date | null;
  consentDecidedBy: string | null;
  consentNote: string | null;
  joinedAt: Date;
  secureAggregation: string;
  differentialPrivacy: boolean;
  trainingRounds: number;
}

export interface SiteDetail {
  site: SiteSummary;
  /** The site's identity keys, newest first (from its enrolment and `site.key_rotated` events). */
  keyHistory: SiteKeyPeriod[];
  /** The studies the site is a member of, newest membership first, with its decision on each. */
  studies: SiteStudyMembership[];
}

/** One site as its administrator (or a consortium administrator) looks at it: identity keys, studies, decisions. */
export async function getSiteDetail(ctx: DomainContext, siteName: string): Promise<SiteDetail> {
  const [row] = await ctx.db.select({ id: sites.id }).from(sites).where(eq(sites.name, siteName));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `No site named "${siteName}"`, { details: { siteName } });
  const [site] = await listSites(ctx, { siteId: row.id });
  const events = await ctx.db
    .select({ action: auditEvents.action, occurredAt: auditEvents.occurredAt, payload: auditEvents.payload })
    .from(auditEvents)
    .where(and(eq(auditEvents.siteId, row.id), inArray(auditEvents.action, ['site.enrolled', 'site.key_rotated'])))
    .orderBy(asc(auditEvents.seq));
  const periods: SiteKeyPeriod[] = [];
  for (const event of events) {
    const payload = event.payload as { publicKeyFingerprint?: unknown };
    const fingerprint = typeof payload.publicKeyFingerprint === 'string' ? payload.publicKeyFingerprint : null;
    const current = periods.at(-1);
    // A later enrolment with the same key (another study) is no new key.
    if (!fingerprint || current?.fingerprint === fingerprint) continue;
    if (current) current.until = event.occurredAt;
    periods.push({ fingerprint, since: event.occurredAt, until: null });
  }
  const last = periods.at(-1);
  if (!last) {
    // No enrolment event (a site made before the audit log recorded keys): its enrolment date is the best there is.
    periods.push({ fingerprint: site!.publicKeyFingerprint, since: site!.enrolledAt, until: null });
  } else if (last.fingerprint !== site!.publicKeyFingerprint) {
    last.until ??= ctx.now();
    periods.push({ fingerprint: site!.publicKeyFingerprint, since: last.until, until: null });
  }

  const memberships = await ctx.db
    .select({ membership: studySites, study: studies })
    .from(studySites)
    .innerJoin(studies, eq(studies.id, studySites.studyId))
    .where(eq(studySites.siteId, row.id))
    .orderBy(desc(studySites.joinedAt), asc(studies.name));
  return {
    site: site!,
    keyHistory: periods.reverse(),
    studies: memberships.map(({ membership, study }) => {
      const spec = StudySpec.parse(study.spec);
      return {
        studyId: study.id,
        studyName: study.name,
        description: spec.description ? spec.description : null,
        status: study.status,
        pausedAt: study.pausedAt,
        consent: membership.consent,
        consentDecidedAt: membership.consentDecidedAt,
        consentDecidedBy: membership.consentDecidedBy,
        consentNote: membership.consentNote,
        joinedAt: membership.joinedAt,
        secureAggregation: spec.privacy.secureAggregation,
        differentialPrivacy: spec.privacy.differentialPrivacy !== undefined,
        trainingRounds: spec.training.rounds,
      };
    }),
  };
}
