import {
  assignStudyLead,
  createStudy,
  getStudyProgress,
  issueEnrollmentToken,
  listStudies,
  listStudyTokens,
  pauseStudy,
  rekeyStudy,
  resumeStudy,
  revokeEnrollmentToken,
  startStudy,
  stopStudy,
} from '@consilium/domain';
import { Id, StudySpec } from '@consilium/schemas';
import { z } from 'zod';
import { leadOfNewStudy, studyFilterOf } from '../authorization.ts';
import { createTRPCRouter, userProcedure } from '../trpc.ts';
import { StudyProgressOutput, StudySummaryOutput, toStudyProgressOutput } from './study-outputs.ts';

export const studiesRouter = createTRPCRouter({
  /** The studies in the caller's scope (a study lead's own, a site admin's site's), newest first. */
  list: userProcedure.output(z.array(StudySummaryOutput)).query(async ({ ctx }) =>
    (await listStudies(ctx.domain, studyFilterOf(ctx.access))).map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), pausedAt: s.pausedAt?.toISOString() ?? null })),
  ),

  progress: userProcedure
    .input(z.object({ studyId: Id }))
    .output(StudyProgressOutput)
    .query(async ({ ctx, input }) => toStudyProgressOutput(await getStudyProgress(ctx.domain, input.studyId))),

  /** A study lead who creates a study leads it; administrators' studies have no lead until one is assigned. */
  create: userProcedure
    .input(z.object({ spec: StudySpec }))
    .output(z.object({ studyId: Id }))
    .mutation(({ ctx, input }) => createStudy(ctx.domain, { spec: input.spec, actor: ctx.actor, leadUserId: leadOfNewStudy(ctx.access) })),

  /** Hands a study to a study lead (or, with null, back to administrators alone). */
  assignLead: userProcedure
    .input(z.object({ studyId: Id, leadUserId: Id.nullable() }))
    .output(z.object({ leadUserId: Id.nullable() }))
    .mutation(({ ctx, input }) => assignStudyLead(ctx.domain, { ...input, actor: ctx.actor })),

  start: userProcedure
    .input(z.object({ studyId: Id }))
    .output(z.object({ started: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await startStudy(ctx.domain, { studyId: input.studyId, actor: ctx.actor });
      return { started: true as const };
    }),

  /**
   * A fresh key ceremony for a running study whose committee changed (a member left — revoke the
   * site first — or a new site joined); a round in progress is stopped.
   */
  rekey: userProcedure
    .input(z.object({ studyId: Id, reason: z.string().min(3).max(500) }))
    .output(z.object({ epoch: z.number().int(), committee: z.array(Id), threshold: z.number().int() }))
    .mutation(({ ctx, input }) => rekeyStudy(ctx.domain, { ...input, actor: ctx.actor })),

  issueToken: userProcedure
    .input(z.object({ studyId: Id, siteName: z.string().min(2).max(100).regex(/^[\p{L}\p{N} ._'-]+$/u, 'letters, digits, spaces and . _ \' - only'), ttlHours: z.number().positive().max(24 * 90).optional() }))
    .output(z.object({ tokenId: Id, token: z.string(), siteName: z.string(), expiresAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const issued = await issueEnrollmentToken(ctx.domain, {
        studyId: input.studyId,
        siteName: input.siteName,
        actor: ctx.actor,
        ...(input.ttlHours ? { ttlMs: input.ttlHours * 3600_000 } : {}),
      });
      return { ...issued, expiresAt: issued.expiresAt.toISOString() };
    }),

  /** The study's enrolment tokens, newest first, with what became of each (never the token itself). */
  tokens: userProcedure
    .input(z.object({ studyId: Id }))
    .output(
      z.array(
        z.object({
          tokenId: Id,
          siteName: z.string(),
          createdAt: z.string(),
          expiresAt: z.string(),
          usedAt: z.string().nullable(),
          revokedAt: z.string().nullable(),
          state: z.enum(['open', 'used', 'expired', 'revoked']),
        }),
      ),
    )
    .query(async ({ ctx, input }) =>
      (await listStudyTokens(ctx.domain, input.studyId)).map((t) => ({
        ...t,
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        usedAt: t.usedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      })),
    ),

  /**
   * Pauses an enrolling, keying or running study: no tasks, no uploads accepted, no deadline runs
   * out, no round opens, until it is resumed.
   */
  pause: userProcedure
    .input(z.object({ studyId: Id, reason: z.string().max(500).optional() }))
    .output(z.object({ pausedAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { pausedAt } = await pauseStudy(ctx.domain, { studyId: input.studyId, reason: input.reason, actor: ctx.actor });
      return { pausedAt: pausedAt.toISOString() };
    }),

  /** Resumes a paused study; the open round's (or key ceremony's) deadline moves by the pause's length. */
  resume: userProcedure
    .input(z.object({ studyId: Id }))
    .output(z.object({ resumedAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { resumedAt } = await resumeStudy(ctx.domain, { studyId: input.studyId, actor: ctx.actor });
      return { resumedAt: resumedAt.toISOString() };
    }),

  /** Ends the study for good (status `stopped`): the round in progress is abandoned; published models are kept. */
  stop: userProcedure
    .input(z.object({ studyId: Id, reason: z.string().min(3).max(500) }))
    .output(z.object({ stoppedAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { stoppedAt } = await stopStudy(ctx.domain, { studyId: input.studyId, reason: input.reason, actor: ctx.actor });
      return { stoppedAt: stoppedAt.toISOString() };
    }),

  revokeToken: userProcedure
    .input(z.object({ tokenId: Id }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeEnrollmentToken(ctx.domain, { tokenId: input.tokenId, actor: ctx.actor });
      return { revoked: true as const };
    }),
});
