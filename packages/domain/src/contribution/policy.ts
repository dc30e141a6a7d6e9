import { MICRO_PER_CREDIT, type ContributionPolicy } from '@consilium/contribution';
import type { StudySpec } from '@consilium/schemas';

/**
 * A study's contribution policy, from its spec: what a round pays, what a site stakes, the formula's
 * weights, and the bounds every signed claim is clipped to.
 */
export function contributionPolicy(spec: StudySpec, parameterCount: number): ContributionPolicy {
  const c = spec.contribution;
  return {
    limits: {
      maxEpochs: spec.training.localEpochs,
      // A forward and a backward pass cost about 6 operations per parameter per sample.
      operationsPerSample: 6 * Math.max(1, parameterCount),
      maxValidationSamples: c.maxValidationSamples,
    },
    weights: c.weights,
    budgetPerRound: BigInt(c.budgetPerRound) * MICRO_PER_CREDIT,
    stake: BigInt(c.stake) * MICRO_PER_CREDIT,
    validation: { metrics: c.validationMetrics, minScale: c.minScale },
  };
}
