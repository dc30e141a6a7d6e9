import { z } from 'zod';
import { DataSchema } from './data-schema.ts';
import { ModelSpec, TrainingConfig } from './model.ts';
import { parseOrThrow } from './parse.ts';

/** CKKS parameters of a study's multiparty key. The defaults are the measured sweet spot (see docs/secure-aggregation.md). */
export const CkksParams = z.strictObject({
  polyModulusDegree: z.union([z.literal(4096), z.literal(8192)]).default(4096),
  /** Bit sizes of the RNS primes: data prime(s) first, the special (key) prime last. */
  coeffModulusBits: z.array(z.number().int().min(20).max(60)).min(2).max(4).default([60, 49]),
  /**
   * log2 of the standard deviation of the smudging noise each site adds to its partial decryption.
   * Never below 16: the noise hides each site's key share and the aggregate's own noise (which is
   * around 2^10), so it cannot be switched off by a study spec.
   */
  smudgingSigmaBits: z.number().int().min(16).max(40).default(20),
});
export type CkksParams = z.infer<typeof CkksParams>;

/**
 * Site-level differential privacy of everything a training round releases (see @consilium/dp): each
 * site clips its update (the change of the model, with its training loss) to L2 norm `clipNorm` and
 * adds its share of Gaussian noise, calibrated so that the study's `training.rounds` rounds together
 * are (epsilon, delta)-DP; the study stops when the budget is spent.
 */
export const DifferentialPrivacyConfig = z.strictObject({
  /** Total ε over all training rounds. */
  epsilon: z.number().positive(),
  /** δ of the (ε, δ) guarantee; well below 1 / (number of sites). */
  delta: z.number().gt(0).lt(1).default(1e-5),
  /** Bound on the L2 norm of one site's update per round: the change of the parameters, with its loss scaled by clipNorm/10. */
  clipNorm: z.number().positive(),
});
export type DifferentialPrivacyConfig = z.infer<typeof DifferentialPrivacyConfig>;

export const PrivacyConfig = z.strictObject({
  /**
   * `ckks-multiparty`: updates are encrypted under a collective key no single party holds; the hub
   * only ever sees ciphertexts and the decrypted aggregate. `none`: plaintext updates (benchmarks
   * and non-sensitive trials only; the hub can read every site's update).
   */
  secureAggregation: z.enum(['ckks-multiparty', 'none']).default('ckks-multiparty'),
  ckks: CkksParams.default(CkksParams.parse({})),
  /**
   * Bound on the magnitude of any model parameter (and training loss) a site submits. It sets the
   * encoding scale; a site whose update exceeds it clips and says so in its log.
   */
  maxAbsParameter: z.number().min(1).max(1e6).default(64),
  /**
   * Who holds the decryption key, as Shamir shares: `size` sites (the first to enrol; all of them
   * when absent) of which any `threshold` decrypt together and fewer learn nothing. The default
   * threshold is a majority, floor(size / 2) + 1.
   */
  committee: z
    .strictObject({
      size: z.number().int().min(2).max(100).optional(),
      threshold: z.number().int().min(2).max(100).optional(),
    })
    .default({}),
  /** Absent: no differential privacy (updates are hidden from the hub, not from the model's users). */
  differentialPrivacy: DifferentialPrivacyConfig.optional(),
}).superRefine((privacy, ctx) => {
  // Each site adds only 1/minSitesPerRound of the noise variance: the guarantee rests on the hub
  // seeing nothing but the sum. A hub reading single updates would get far less protection.
  if (privacy.differentialPrivacy && privacy.secureAggregation === 'none')
    ctx.addIssue({
      code: 'custom',
      path: ['differentialPrivacy'],
      message: 'needs secure aggregation: the noise is split across sites, so a single plaintext update carries only a fraction of it',
    });
});
export type PrivacyConfig = z.infer<typeof PrivacyConfig>;

export const FederationConfig = z.strictObject({
  /** Minimum number of submissions for a round to be aggregated. Never below 2 under encryption. */
  minSitesPerRound: z.number().int().min(1).max(10000).default(2),
  /** How long sites have to submit once a round opens. */
  roundDeadlineSeconds: z.number().int().min(5).max(7 * 24 * 3600).default(600),
  /** How long sites have to return partial decryptions once aggregation closes. */
  decryptionDeadlineSeconds: z.number().int().min(5).max(7 * 24 * 3600).default(300),
  /** Start the study as soon as every invited site has enrolled (otherwise an admin starts it). */
  autoStart: z.boolean().default(true),
  /**
   * Upper bound on the total number of training rows across the consortium. Bounds the encoding of
   * the encrypted statistics round (counts must not overflow the ciphertext modulus).
   */
  maxTotalSamples: z.number().int().min(10).max(2 ** 30).default(1_000_000),
});
export type FederationConfig = z.infer<typeof FederationConfig>;

export const PreprocessingConfig = z.strictObject({
  /**
   * `federated`: numeric features are standardised with the consortium's mean and standard
   * deviation, computed by an encrypted statistics round (no site's statistics are revealed).
   */
  standardize: z.enum(['federated', 'none']).default('federated'),
});
export type PreprocessingConfig = z.infer<typeof PreprocessingConfig>;

/**
 * Contribution accounting (docs/contribution.md): what each settled round pays out, what each site
 * stakes, how the reward formula weighs its terms, and how far validation metrics may spread before
 * a site's report counts as an outlier. Credits are consortium accounting units, not money.
 */
export const ContributionConfig = z.strictObject({
  /** Credits paid out per training round, at most (what is not earned stays in the study pool). */
  budgetPerRound: z.number().int().min(0).max(1_000_000_000).default(10_000),
  /** Credits each site stakes to join; confirmed misconduct slashes part of it. */
  stake: z.number().int().min(0).max(1_000_000_000).default(1_000),
  /** Weights of the reward formula's three terms: compute × quality, data × rarity × quality, validation × uptime. */
  weights: z
    .strictObject({ compute: z.number().min(0).max(1000).default(0.4), data: z.number().min(0).max(1000).default(0.4), validation: z.number().min(0).max(1000).default(0.2) })
    .refine((w) => w.compute + w.data + w.validation > 0, 'at least one weight must be positive')
    .default({ compute: 0.4, data: 0.4, validation: 0.2 }),
  /**
   * The smallest spread of each validation metric that counts (robust z uses max(1.4826·MAD, this)):
   * sites with genuinely different populations are not flagged when honest sites agree closely.
   */
  minScale: z
    .strictObject({ auc: z.number().positive().max(1).default(0.05), accuracy: z.number().positive().max(1).default(0.03), loss: z.number().positive().max(100).default(0.05) })
    .default({ auc: 0.05, accuracy: 0.03, loss: 0.05 }),
  /**
   * The validation metrics cross-checked between sites. AUC by default: it does not depend on a
   * site's outcome rate, so a site whose data is rare (say, mostly positive) is not flagged for its
   * case mix, while a site whose labels are wrong (AUC near 1 − everyone else's) is.
   */
  validationMetrics: z.array(z.enum(['auc', 'accuracy', 'loss'])).min(1).max(3).default(['auc']),
  /** The most held-out rows credited to one validation report (keeps every honest validator about equally useful). */
  maxValidationSamples: z.number().int().min(1).max(10_000_000).default(500),
});
export type ContributionConfig = z.infer<typeof ContributionConfig>;

export const StudySpec = z
  .strictObject({
    name: z.string().min(3).max(120),
    description: z.string().max(4000).default(''),
    data: DataSchema,
    model: ModelSpec,
    training: TrainingConfig.default(TrainingConfig.parse({})),
    federation: FederationConfig.default(FederationConfig.parse({})),
    privacy: PrivacyConfig.default(PrivacyConfig.parse({})),
    preprocessing: PreprocessingConfig.default(PreprocessingConfig.parse({})),
    contribution: ContributionConfig.default(ContributionConfig.parse({})),
  })
  .superRefine((spec, ctx) => {
    if (spec.privacy.secureAggregation !== 'none' && spec.federation.minSitesPerRound < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['federation', 'minSitesPerRound'],
        message: 'must be at least 2 under secure aggregation (a sum of one site would reveal it)',
      });
    const { size, threshold } = spec.privacy.committee;
    if (size !== undefined && threshold !== undefined && threshold > size)
      ctx.addIssue({ code: 'custom', path: ['privacy', 'committee', 'threshold'], message: `must not exceed the committee size (${size})` });
  });
export type StudySpec = z.infer<typeof StudySpec>;
export type StudySpecInput = z.input<typeof StudySpec>;

/** Validates a study spec (already parsed from JSON); errors name the bad field. */
export function parseStudySpec(input: unknown): StudySpec {
  return parseOrThrow(StudySpec, input, 'study spec');
}

/**
 * The decryption committee's size and threshold for a study with `sites` enrolled sites: the spec's
 * choice, capped at the sites there are, with a majority threshold by default.
 */
export function committeePlan(spec: StudySpec, sites: number): { size: number; threshold: number } {
  const size = Math.min(spec.privacy.committee.size ?? sites, sites);
  const threshold = Math.min(spec.privacy.committee.threshold ?? Math.floor(size / 2) + 1, size);
  return { size, threshold };
}
