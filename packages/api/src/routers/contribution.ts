import { getStudyContribution, ownershipStatementInput } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { Id } from '@consilium/schemas';
import { buildOwnershipStatement, ledgerToNdjson, OwnershipStatement, signOwnershipStatement } from '@consilium/contribution';
import type { Evidence as ContributionEvidence } from '@consilium/contribution';
import { z } from 'zod';
import { createTRPCRouter, userProcedure } from '../trpc.ts';

/** Micro-credits and share units travel as decimal strings: they are exact integers beyond 2^53. */
const Integer = z.string().regex(/^-?\d+$/);

/** Evidence objects are defined (and documented field by field) in @consilium/contribution's evidence.ts. */
const isEvidence = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && ['metric', 'submission'].includes((v as { kind?: unknown }).kind as string) && typeof (v as { reason?: unknown }).reason === 'string';
const Evidence = z.custom<ContributionEvidence>(isEvidence, 'not a contribution evidence object');

const SiteRoundRecord = z.object({
  siteId: z.string(),
  siteName: z.string(),
  round: z.number().int(),
  asked: z.boolean(),
  submitted: z.boolean(),
  reported: z.boolean(),
  compute: z.number(),
  data: z.number(),
  rarity: z.number(),
  quality: z.number(),
  validation: z.number(),
  uptime: z.number(),
  reputation: z.number(),
  forfeit: z.boolean(),
  rewardMicro: Integer,
  slashedMicro: Integer,
  misconduct: z.enum(['proof', 'repeated', 'quorum']).nullable(),
  evidence: z.array(Evidence),
  metrics: z.record(z.string(), z.number()).nullable(),
});

export const StudyContributionOutput = z.object({
  studyId: Id,
  studyName: z.string(),
  status: z.string(),
  opened: z.boolean(),
  settledRounds: z.number().int(),
  sites: z.array(
    z.object({
      siteId: z.string(),
      siteName: z.string(),
      shareUnits: Integer,
      sharePercent: z.string(),
      rewardMicro: Integer,
      stakeMicro: Integer,
      slashedMicro: Integer,
      reputation: z.number(),
      rarity: z.number(),
      quality: z.number(),
      declaredRows: z.number().int().nullable(),
      declaredHeldOut: z.number().int().nullable(),
      flags: z.number().int(),
      excluded: z.boolean(),
    }),
  ),
  rounds: z.array(z.object({ round: z.number().int(), modelVersionId: z.string().nullable(), settledAt: z.string(), records: z.array(SiteRoundRecord) })),
  shareHistory: z.array(z.object({ round: z.number().int(), shares: z.record(z.string(), z.string()) })),
  evidence: z.array(z.custom<ContributionEvidence & { siteName: string | null }>(isEvidence, 'not a contribution evidence object')),
  ledger: z.object({ entries: z.number().int(), lastEntryId: z.string().nullable(), poolMicro: Integer, distributedMicro: Integer, slashedMicro: Integer }),
});

/** A signed ownership statement (fields in @consilium/contribution's statement.ts), plus the ledger it pins, as NDJSON. */
export const OwnershipStatementOutput = OwnershipStatement.extend({
  /** The study's ledger entries, one canonical JSON line each: what `consilium-ownership verify --ledger` recomputes the statement from. */
  ledgerNdjson: z.string(),
});

export const contributionRouter = createTRPCRouter({
  /** Who contributed what to a study: ownership shares, each site's components and reputation, anomalies with their evidence. */
  summary: userProcedure
    .input(z.object({ studyId: Id }))
    .output(StudyContributionOutput)
    .query(({ ctx, input }) => getStudyContribution(ctx.domain, input.studyId)),

  /**
   * The study's ownership shares as a statement signed with the hub's key, with the ledger to check
   * it against offline (`consilium-ownership verify statement.json --public-key … --ledger ledger.ndjson`).
   * WRONG_STATE while nobody has earned a reward, or when the hub has no signing key.
   */
  statement: userProcedure
    .input(z.object({ studyId: Id }))
    .output(OwnershipStatementOutput)
    .query(async ({ ctx, input }) => {
      const keyPem = ctx.hubSigningKeyPem;
      if (keyPem === null) throw new AppError(ErrorCode.WRONG_STATE, 'this hub has no signing key configured');
      const { input: statementInput, entries } = await ownershipStatementInput(ctx.domain, input.studyId);
      const statement = signOwnershipStatement(buildOwnershipStatement(statementInput), keyPem);
      return { ...statement, ledgerNdjson: ledgerToNdjson(entries) };
    }),
});
