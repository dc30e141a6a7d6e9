import { decideStudyConsent, getSiteDetail, listSites, listSiteUploads, revokeSite, type SiteSummary } from '@consilium/domain';
import { Id, StudyConsent, StudyStatus } from '@consilium/schemas';
import { z } from 'zod';
import { siteFilterOf } from '../authorization.ts';
import { createTRPCRouter, userProcedure } from '../trpc.ts';

const SiteOutput = z.object({
  id: Id,
  name: z.string(),
  status: z.enum(['active', 'revoked']),
  publicKeyFingerprint: z.string(),
  enrolledAt: z.string(),
  lastSeenAt: z.string().nullable(),
  agentVersion: z.string().nullable(),
  backend: z.string().nullable(),
});

const toSiteOutput = (s: SiteSummary): z.infer<typeof SiteOutput> => ({ ...s, enrolledAt: s.enrolledAt.toISOString(), lastSeenAt: s.lastSeenAt?.toISOString() ?? null });
const toIso = (d: Date | null): string | null => d?.toISOString() ?? null;

const SiteDetailOutput = z.object({
  site: SiteOutput,
  /** The site's identity keys, newest first. */
  keyHistory: z.array(z.object({ fingerprint: z.string(), since: z.string(), until: z.string().nullable() })),
  /** The studies the site is a member of, with its decision on each. */
  studies: z.array(
    z.object({
      studyId: Id,
      studyName: z.string(),
      description: z.string().nullable(),
      status: StudyStatus,
      pausedAt: z.string().nullable(),
      consent: StudyConsent,
      consentDecidedAt: z.string().nullable(),
      consentDecidedBy: z.string().nullable(),
      consentNote: z.string().nullable(),
      joinedAt: z.string(),
      secureAggregation: z.string(),
      differentialPrivacy: z.boolean(),
      trainingRounds: z.number().int(),
    }),
  ),
});

export const sitesRouter = createTRPCRouter({
  /** The consortium's sites (a site admin sees only their own). */
  list: userProcedure.output(z.array(SiteOutput)).query(async ({ ctx }) => (await listSites(ctx.domain, siteFilterOf(ctx.access))).map(toSiteOutput)),

  /** One site: its identity keys over time, and every study it is a member of with its decision on it. */
  detail: userProcedure
    .input(z.object({ siteName: z.string().min(1).max(100) }))
    .output(SiteDetailOutput)
    .query(async ({ ctx, input }) => {
      const detail = await getSiteDetail(ctx.domain, input.siteName);
      return {
        site: toSiteOutput(detail.site),
        keyHistory: detail.keyHistory.map((k) => ({ fingerprint: k.fingerprint, since: k.since.toISOString(), until: toIso(k.until) })),
        studies: detail.studies.map((s) => ({ ...s, pausedAt: toIso(s.pausedAt), consentDecidedAt: toIso(s.consentDecidedAt), joinedAt: s.joinedAt.toISOString() })),
      };
    }),

  /**
   * The site administrator's decision on a study their site is a member of: approve taking part,
   * or decline (declining after approving withdraws the site from the next round on). Consent is
   * the site's own: no administrator can give it.
   */
  decideConsent: userProcedure
    .input(z.object({ siteName: z.string().min(1).max(100), studyId: Id, decision: z.enum(['approve', 'decline']), note: z.string().max(500).optional() }))
    .output(z.object({ consent: StudyConsent, decidedAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const decided = await decideStudyConsent(ctx.domain, { ...input, actor: ctx.actor });
      return { consent: decided.consent, decidedAt: decided.decidedAt.toISOString() };
    }),

  /**
   * What left a site, as the hub accepted it: every encrypted update and partial decryption, per
   * round, with its payload size and SHA-256 — the same figures as the agent's own log
   * (`consilium-agent log`), so a site administrator can check one against the other.
   */
  uploads: userProcedure
    .input(z.object({ siteName: z.string().min(1).max(100), studyId: Id.optional() }))
    .output(
      z.array(
        z.object({
          studyId: Id,
          studyName: z.string(),
          roundId: Id,
          roundIndex: z.number().int(),
          kind: z.enum(['submission', 'decryption-share']),
          payloadSha256: z.string(),
          bytes: z.number().int(),
          receivedAt: z.string(),
        }),
      ),
    )
    .query(async ({ ctx, input }) => (await listSiteUploads(ctx.domain, input)).map((u) => ({ ...u, receivedAt: u.receivedAt.toISOString() }))),

  /** Refuses the site's requests from now on (lost or stolen identity key, a hospital leaving). */
  revoke: userProcedure
    .input(z.object({ siteName: z.string().min(1).max(100), reason: z.string().min(3).max(500) }))
    .output(z.object({ siteId: Id }))
    .mutation(({ ctx, input }) => revokeSite(ctx.domain, { ...input, actor: ctx.actor })),
});
