import { enrollSite } from '@consilium/domain';
import { Id, StudyConsent } from '@consilium/schemas';
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const enrollmentRouter = createTRPCRouter({
  /**
   * A site agent redeems its one-time token and registers its public identity key. With
   * `approveStudy`, the agent's operator approves taking part in the study; otherwise the site's
   * membership stays pending until its site administrator decides (sites.decideConsent).
   */
  enroll: publicProcedure
    .input(
      z.object({
        token: z.string().min(10).max(200),
        publicKey: z.string().min(40).max(60),
        agentVersion: z.string().min(1).max(40),
        approveStudy: z.boolean().optional(),
      }),
    )
    .output(z.object({ siteId: Id, siteName: z.string(), studyId: Id, studyName: z.string(), studyStarted: z.boolean(), consent: StudyConsent }))
    .mutation(({ ctx, input }) => enrollSite(ctx.domain, input)),
});
