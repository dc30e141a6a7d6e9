/**
 * The reward formula. Per round, the study's budget for that round is split by
 *
 *   score_i = reputation_i × ( w_c · compute share_i · quality_i
 *                            + w_d · data share_i · rarity_i · quality_i
 *                            + w_v · validation share_i · uptime_i ) / (w_c + w_d + w_v)
 *
 *   reward_i = floor(budget × score_i)            (integer micro-credits, BigInt)
 *
 * Shares are the site's fraction of the round's total (capped) compute, data and validation service,
 * so units cancel and weights are comparable. Two deliberate departures from the seed formula
 * (compute × quality + data × rarity + validation × uptime):
 *   - the data term is multiplied by quality too. A label flipper's histogram is skewed toward the
 *     minority label, so it *looks* rare: without quality on the data term, poisoning would earn the
 *     rarity bonus.
 *   - the budget is not re-split among the remaining sites when one is penalised: a site's score
 *     depends on its own work and behaviour only, not on whether someone else was caught. What is
 *     not paid stays in the study pool for later rounds.
 * Floats are used only to form each site's score; they are converted once to a 10⁻¹² fixed-point
 * fraction and everything after that (amounts, ledger, ownership) is exact BigInt arithmetic.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import { z } from 'zod';

/** Per-study weights of the three terms. Only their ratios matter. */
export const RewardWeights = z
  .strictObject({
    /** Training work (compute share × quality). */
    compute: z.number().finite().min(0).default(0.4),
    /** Data brought (data share × rarity × quality). */
    data: z.number().finite().min(0).default(0.4),
    /** Validation service (validation share × uptime). */
    validation: z.number().finite().min(0).default(0.2),
  })
  .refine((w) => w.compute + w.data + w.validation > 0, { message: 'at least one reward weight must be positive' });
export type RewardWeights = z.infer<typeof RewardWeights>;
export type RewardWeightsInput = z.input<typeof RewardWeights>;

/** Parses a study's weights (defaults filled in), throwing INVALID_INPUT with the zod issues. */
export function parseRewardWeights(input: unknown): RewardWeights {
  const parsed = RewardWeights.safeParse(input ?? {});
  if (!parsed.success)
    throw new AppError(ErrorCode.INVALID_INPUT, `invalid reward weights: ${parsed.error.issues.map((i) => i.message).join('; ')}`, { details: { issues: parsed.error.issues } });
  return parsed.data;
}

/** One site's components for one round (components.ts, reputation.ts). */
export interface SiteRoundContribution {
  siteId: string;
  /** computeContribution(...).value */
  compute: number;
  /** dataContribution(...) */
  data: number;
  /** rarityFactor(...), ≥ 0 */
  rarity: number;
  /** qualityFromAgreement(...), in [0, 1] */
  quality: number;
  /** validationService(...) */
  validation: number;
  /** uptimeBonus(...), in [0, 1] */
  uptime: number;
  /** The site's reputation going into this round's payout, in [0, 1]. */
  reputation: number;
  /** The round's submission carried proof of misconduct: it earns nothing this round. */
  forfeit?: boolean;
}

export interface SiteReward {
  siteId: string;
  /** Micro-credits credited to the site for this round. */
  amount: bigint;
  /** The fraction of the budget it earned, as computed before rounding. */
  score: number;
}

export interface RoundRewards {
  rewards: SiteReward[];
  /** Σ amounts: what moves from the study pool to the sites. Never more than the budget. */
  distributed: bigint;
  /** budget − distributed: stays in the study pool. */
  undistributed: bigint;
}

/** Fixed-point denominator the per-site fraction is rounded to before exact arithmetic takes over. */
export const SCORE_SCALE = 1_000_000_000_000n;

/** Splits one round's budget (micro-credits) among the sites that took part. */
export function roundRewards(budget: bigint, sites: readonly SiteRoundContribution[], weights: RewardWeightsInput = {}): RoundRewards {
  const w = parseRewardWeights(weights);
  if (budget < 0n) throw new AppError(ErrorCode.INVALID_INPUT, `budget must be ≥ 0, got ${budget}`);
  const ids = new Set<string>();
  for (const s of sites) {
    if (ids.has(s.siteId)) throw new AppError(ErrorCode.INVALID_INPUT, `site ${s.siteId} listed twice in one round`);
    ids.add(s.siteId);
    for (const key of ['compute', 'data', 'validation', 'rarity'] as const) {
      if (!(Number.isFinite(s[key]) && s[key] >= 0)) throw new AppError(ErrorCode.INVALID_INPUT, `${s.siteId}: ${key} must be finite and ≥ 0, got ${s[key]}`);
    }
    for (const key of ['quality', 'uptime', 'reputation'] as const) {
      if (!(s[key] >= 0 && s[key] <= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `${s.siteId}: ${key} must be in [0, 1], got ${s[key]}`);
    }
  }

  const total = (key: 'compute' | 'data' | 'validation') => sites.reduce((a, s) => a + s[key], 0);
  const share = (value: number, sum: number) => (sum > 0 ? value / sum : 0);
  const [computeTotal, dataTotal, validationTotal] = [total('compute'), total('data'), total('validation')];
  const weightSum = w.compute + w.data + w.validation;

  const scores = sites.map((s) => {
    if (s.forfeit === true) return 0;
    const raw =
      w.compute * share(s.compute, computeTotal) * s.quality +
      w.data * share(s.data, dataTotal) * s.rarity * s.quality +
      w.validation * share(s.validation, validationTotal) * s.uptime;
    return (s.reputation * raw) / weightSum;
  });
  const fixed = scores.map((score) => BigInt(Math.floor(score * Number(SCORE_SCALE))));
  // Rarity above 1 for some sites is paid for by rarity below 1 for others only when every site's
  // counts went into the same aggregate; if fractions still add up past 1, scale all down together.
  const sum = fixed.reduce((a, f) => a + f, 0n);
  const denominator = sum > SCORE_SCALE ? sum : SCORE_SCALE;

  const rewards = sites.map((s, i) => ({ siteId: s.siteId, amount: (budget * fixed[i]!) / denominator, score: scores[i]! }));
  const distributed = rewards.reduce((a, r) => a + r.amount, 0n);
  return { rewards, distributed, undistributed: budget - distributed };
}
