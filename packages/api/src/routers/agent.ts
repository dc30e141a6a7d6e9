import { confirmKey, getStudyForSite, rotateSiteKey, waitForTasks, reportDecryptionRefusal, reportClaim, reportEvaluation, submitDealing, submitDecryptionShare, submitKeyShare, submitUpdate } from '@consilium/domain';
import { ContributionClaim, EvalMetrics, Id, Sha256Hex, StudyConsent, StudySpec, StudyStatus, Task, TrainingBackend } from '@consilium/schemas';
import { z } from 'zod';
import { binaryInput, readBinaryInput } from '../binary-input.ts';
import { createTRPCRouter, siteProcedure } from '../trpc.ts';

const PollOutput = z.object({
  siteId: Id,
  siteName: z.string(),
  serverTime: z.string(),
  tasks: z.array(Task),
  /** Every member study, with this site's decision on it (the agent works only for `approved` ones) and whether it is paused. */
  studies: z.array(
    z.object({ studyId: Id, name: z.string(), status: StudyStatus, failureReason: z.string().nullable(), consent: StudyConsent, pausedAt: z.string().nullable() }),
  ),
});

/** Everything a site agent does; every call is signed with the site's identity key. */
export const agentRouter = createTRPCRouter({
  /**
   * Heartbeat and work: what should this site do now? With `waitMs`, a long poll: the hub answers as
   * soon as there is work, or after waitMs with none.
   */
  poll: siteProcedure
    .input(z.object({ agentVersion: z.string().min(1).max(40), backend: TrainingBackend.nullable(), waitMs: z.number().int().min(0).max(30_000).default(0) }))
    .output(PollOutput)
    .mutation(({ ctx, input }) =>
      waitForTasks(ctx.domain, ctx.site, { agentVersion: input.agentVersion, backend: input.backend }, { waitMs: input.waitMs, signal: ctx.request.signal }),
    ),

  /** A member study's spec and consortium statistics (to validate data and preprocess it identically). */
  study: siteProcedure
    .input(z.object({ studyId: Id }))
    .output(
      z.object({
        id: Id,
        name: z.string(),
        status: StudyStatus,
        spec: StudySpec,
        statistics: z.unknown(),
        totalSamples: z.number().nullable(),
        publicKeyHash: z.string().nullable(),
        /** This site's decision on the study: the agent trains and uploads only for `approved`. */
        consent: StudyConsent,
        pausedAt: z.string().nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const view = await getStudyForSite(ctx.domain, ctx.site, input.studyId);
      return { ...view, pausedAt: view.pausedAt?.toISOString() ?? null };
    }),

  submitKeyShare: siteProcedure
    .input(binaryInput)
    .output(z.object({ accepted: z.boolean(), duplicate: z.boolean(), ceremonyComplete: z.boolean() }))
    .mutation(async ({ ctx, input }) => submitKeyShare(ctx.domain, ctx.site, await readBinaryInput(input, ctx.domain.limits.maxBodyBytes))),

  /** Key ceremony stage `deal`: this member's Shamir shares of its secret, each sealed to its recipient. */
  submitDealing: siteProcedure
    .input(binaryInput)
    .output(z.object({ accepted: z.boolean(), duplicate: z.boolean(), dealersSoFar: z.number() }))
    .mutation(async ({ ctx, input }) => submitDealing(ctx.domain, ctx.site, await readBinaryInput(input, ctx.domain.limits.maxBodyBytes))),

  /** Key ceremony stage `combine`: the collective key hash this member recomputed itself. */
  confirmKey: siteProcedure
    .input(z.object({ studyId: Id, epoch: z.number().int().min(0), publicKeyHash: Sha256Hex }))
    .output(z.object({ accepted: z.boolean(), ceremonyComplete: z.boolean(), problem: z.string().nullable() }))
    .mutation(({ ctx, input }) => confirmKey(ctx.domain, ctx.site, input)),

  /** A decryptor refused to decrypt (the aggregate was not provably a sum of enough signed submissions). */
  reportRefusal: siteProcedure
    .input(z.object({ roundId: Id, reason: z.string().min(1).max(2000) }))
    .output(z.object({ recorded: z.boolean() }))
    .mutation(({ ctx, input }) => reportDecryptionRefusal(ctx.domain, ctx.site, input)),

  submitUpdate: siteProcedure
    .input(binaryInput)
    .output(z.object({ roundId: Id, payloadSha256: Sha256Hex, duplicate: z.boolean(), submissionsSoFar: z.number() }))
    .mutation(async ({ ctx, input }) => submitUpdate(ctx.domain, ctx.site, await readBinaryInput(input, ctx.domain.limits.maxBodyBytes))),

  submitDecryptionShare: siteProcedure
    .input(binaryInput)
    .output(z.object({ roundId: Id, duplicate: z.boolean(), sharesSoFar: z.number(), roundComplete: z.boolean() }))
    .mutation(async ({ ctx, input }) => submitDecryptionShare(ctx.domain, ctx.site, await readBinaryInput(input, ctx.domain.limits.maxBodyBytes))),

  reportEvaluation: siteProcedure
    .input(z.object({ studyId: Id, modelVersionId: Id, metrics: EvalMetrics, signature: z.string().min(1).max(200) }))
    .output(z.object({ recorded: z.boolean(), final: z.boolean() }))
    .mutation(({ ctx, input }) => reportEvaluation(ctx.domain, ctx.site, input)),

  /** The site's signed statement of its own work for a round (declaration or training claim), for contribution accounting. */
  reportClaim: siteProcedure
    .input(z.object({ studyId: Id, roundId: Id, claim: ContributionClaim, signature: z.string().min(1).max(200) }))
    .output(z.object({ recorded: z.boolean() }))
    .mutation(({ ctx, input }) => reportClaim(ctx.domain, ctx.site, input)),

  /** Replaces this site's identity key: signed with the old key, `proof` signed with the new one; the old key is refused from then on. */
  rotateKey: siteProcedure
    .input(z.object({ newPublicKey: z.string().min(1).max(100), proof: z.string().min(1).max(200) }))
    .output(z.object({ publicKeyFingerprint: z.string(), previousFingerprint: z.string(), pinnedInStudies: z.array(z.object({ studyId: Id, name: z.string() })) }))
    .mutation(({ ctx, input }) => rotateSiteKey(ctx.domain, ctx.site, input)),
});
