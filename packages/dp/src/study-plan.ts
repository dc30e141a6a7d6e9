/**
 * What a study's differential-privacy settings mean in numbers, computed identically by the hub and
 * every agent from the spec alone: the noise multiplier for the (ε, δ) target over the study's
 * training rounds, and the budget check the hub runs before opening a round.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import type { StudySpec } from '@consilium/schemas';
import { calibrateNoiseMultiplier } from './calibrate.ts';
import { gaussianEpsilon } from './rdp.ts';

/** The parts of a study spec that DP depends on. */
export type DpStudySpec = Pick<StudySpec, 'privacy' | 'training' | 'federation'>;

export interface DpPlan {
  /** Target ε over all `rounds` training rounds, and its δ. */
  epsilon: number;
  delta: number;
  /** C: bound on the L2 norm of one site's update; the sum's sensitivity to one site. */
  clipNorm: number;
  /** Training rounds the budget is calibrated for (spec.training.rounds). */
  rounds: number;
  /** σ: noise standard deviation on the sum, in units of C. */
  noiseMultiplier: number;
  /** σ·C: noise standard deviation on each private entry of the decrypted sum. */
  sigmaTotal: number;
  /** ε of one round alone (RDP composes sub-additively in ε: rounds·epsilonPerRound ≥ epsilon). */
  epsilonPerRound: number;
  /** Sites whose noise shares make up σ·C (federation.minSitesPerRound). */
  minContributors: number;
}

/** The study's DP plan, or null when differential privacy is off. */
export function dpPlanForSpec(spec: DpStudySpec): DpPlan | null {
  const dp = spec.privacy.differentialPrivacy;
  if (!dp) return null;
  const { epsilon, delta, clipNorm } = dp;
  const rounds = spec.training.rounds;
  const noiseMultiplier = calibrateNoiseMultiplier({ epsilon, delta, rounds });
  return {
    epsilon,
    delta,
    clipNorm,
    rounds,
    noiseMultiplier,
    sigmaTotal: noiseMultiplier * clipNorm,
    epsilonPerRound: gaussianEpsilon({ noiseMultiplier, rounds: 1, delta }),
    minContributors: spec.federation.minSitesPerRound,
  };
}

export interface PrivacyBudgetStatus {
  /** ε spent by the completed rounds (0 when DP is off). */
  spent: number;
  /** Target minus spent (Infinity when DP is off). */
  remaining: number;
  /** True when one more round would take ε past the target: no further round may open. */
  exhausted: boolean;
  message: string;
}

/**
 * The budget before opening a training round. `completedTrainingRounds` counts the rounds whose
 * sum was decrypted (each one is a release, whatever happened afterwards); the statistics round is
 * not one of them. Pure: the hub calls it with what its database says.
 */
export function privacyBudgetCheck(spec: DpStudySpec, completedTrainingRounds: number): PrivacyBudgetStatus {
  if (!Number.isInteger(completedTrainingRounds) || completedTrainingRounds < 0)
    throw new AppError(ErrorCode.INVALID_INPUT, `completed rounds must be a non-negative integer, got ${completedTrainingRounds}`);
  const plan = dpPlanForSpec(spec);
  if (!plan) return { spent: 0, remaining: Infinity, exhausted: false, message: 'differential privacy is off for this study' };
  const { noiseMultiplier, delta, epsilon: target } = plan;
  const spent = gaussianEpsilon({ noiseMultiplier, rounds: completedTrainingRounds, delta });
  const next = gaussianEpsilon({ noiseMultiplier, rounds: completedTrainingRounds + 1, delta });
  return budgetStatus({ target, spent, next, completedRounds: completedTrainingRounds });
}

/**
 * The budget status from ε spent so far and ε after one more round: exhausted when that next round
 * would exceed the target. Shared by privacyBudgetCheck and in-process accountants, so every stop
 * reads the same: "privacy budget exhausted: ε spent 2.98 of 3 after 12 rounds".
 */
export function budgetStatus(options: { target: number; spent: number; next: number; completedRounds: number }): PrivacyBudgetStatus {
  const { target, spent, next, completedRounds } = options;
  const exhausted = next > target;
  const after = `after ${completedRounds} round${completedRounds === 1 ? '' : 's'}`;
  const message = exhausted
    ? `privacy budget exhausted: ε spent ${show(spent, 'down')} of ${target} ${after}`
    : `ε spent ${show(spent, 'down')} of ${target} ${after}; the next round brings it to ${show(next)}`;
  return { spent, remaining: target - spent, exhausted, message };
}

/** privacyBudgetCheck, throwing PRIVACY_BUDGET_EXHAUSTED (with its message) when the budget is spent. */
export function assertPrivacyBudget(spec: DpStudySpec, completedTrainingRounds: number): PrivacyBudgetStatus {
  const status = privacyBudgetCheck(spec, completedTrainingRounds);
  if (status.exhausted)
    throw new AppError(ErrorCode.PRIVACY_BUDGET_EXHAUSTED, status.message, {
      details: { spent: status.spent, target: spec.privacy.differentialPrivacy?.epsilon, completedTrainingRounds },
    });
  return status;
}

/** Standard deviations of headroom kept for the noise: exceeded with probability ~2e-19 per entry. */
export const NOISE_TAIL_SIGMAS = 9;

/**
 * Public bound on every entry of a DP training round's vectors and of their sum, for choosing the
 * CKKS scale: maxAbsParameter (what FedAvg guarantees without noise) plus 9 standard deviations of
 * the noise that `siteCount` submitting sites add together, σ·C·√(siteCount / minContributors).
 * Without DP it is maxAbsParameter. A sum past the bound would wrap around the ciphertext modulus
 * and decrypt to garbage, so the hub must pass every site that may submit.
 */
export function dpValueBound(spec: DpStudySpec, siteCount: number): number {
  const plan = dpPlanForSpec(spec);
  const bound = spec.privacy.maxAbsParameter;
  if (!plan) return bound;
  const sites = Math.max(siteCount, plan.minContributors);
  return bound + NOISE_TAIL_SIGMAS * plan.sigmaTotal * Math.sqrt(sites / plan.minContributors);
}

/**
 * Three significant digits, without trailing zeros: 2.98, 0.0412, 12.3. Spent budget is rounded
 * down, so that 2.9996 of 3 reads "2.99 of 3", not "3 of 3".
 */
function show(epsilon: number, rounding: 'nearest' | 'down' = 'nearest'): string {
  if (epsilon === 0 || !Number.isFinite(epsilon)) return String(epsilon);
  const nearest = Number(epsilon.toPrecision(3));
  if (rounding === 'nearest' || nearest <= epsilon) return String(nearest);
  const unit = 10 ** (Math.floor(Math.log10(epsilon)) - 2);
  return String(Number((nearest - unit).toPrecision(3)));
}
