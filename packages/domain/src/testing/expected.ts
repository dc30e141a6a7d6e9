import { globalStatistics, type GlobalStatistics } from '@consilium/data';
import type { StudySpec } from '@consilium/schemas';
import type { Contribution, SimulatedSite } from './simulated-site.ts';

/** The accepted contributions of `sites` to a round (throws if one is missing: the test expected it). */
export function contributionsTo(roundId: string, sites: readonly SimulatedSite[]): Contribution[] {
  return sites.map((site) => {
    const contribution = site.accepted.get(roundId);
    if (!contribution) throw new Error(`${site.name} has no accepted contribution to round ${roundId}`);
    return contribution;
  });
}

/** The element-wise float64 sum of the contributions' vectors: what the round's aggregate must decrypt to. */
export function sumOf(contributions: readonly Contribution[]): Float64Array {
  const sum = new Float64Array(contributions[0]?.vector.length ?? 0);
  for (const { vector } of contributions) vector.forEach((value, i) => (sum[i] = sum[i]! + value));
  return sum;
}

/** The consortium statistics the hub must derive from these statistics-round contributions. */
export function expectedStatistics(spec: StudySpec, contributions: readonly Contribution[]): GlobalStatistics {
  return globalStatistics(spec.data, sumOf(contributions));
}

/** Weighted FedAvg in float64, straight from the sites' parameters: Σ n_i·θ_i / Σ n_i. */
export function expectedFedAvg(contributions: readonly Contribution[]): Float64Array {
  const total = contributions.reduce((n, c) => n + c.numExamples, 0);
  const first = contributions[0]?.parameters;
  if (!first || total === 0) throw new Error('FedAvg needs training contributions with examples');
  const average = new Float64Array(first.length);
  for (const { parameters, numExamples } of contributions) {
    if (!parameters) throw new Error('not a training contribution');
    parameters.forEach((theta, i) => (average[i] = average[i]! + (numExamples * theta) / total));
  }
  return average;
}

/** Largest |a[i] − b[i]|. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
