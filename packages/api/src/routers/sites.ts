import { listSites, listSiteUploads, revokeSite } from '@consilium/domain';
import { Id } from '@consilium/schemas';
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

export const sitesRouter = createTRPCRouter({
  /** The consortium's sites (a site admin sees only their own). */
  list: userProcedure.output(z.array(SiteOutput)).query(async ({ ctx }) =>
    (await listSites(ctx.domain, siteFilterOf(ctx.access))).map((s) => ({ ...s, enrolledAt: s.enrolledAt.toISOString(), lastSeenAt: s.lastSeenAt?.toISOString() ?? null })),
  ),

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
