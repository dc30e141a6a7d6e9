import { FedAvg } from '@consilium/fl/strategy';
import type { SiteUpdate } from '@consilium/fl/strategy';
import { createRng, deriveSeed, randomInt } from '@consilium/random';

/** The studies' default maxAbsParameter: the public bound the CKKS scale and Paillier packing are chosen from. */
export const MAX_ABS_PARAMETER = 64;

export const fedAvg = new FedAvg();

/**
 * The round's sites, the same for every scheme: each one's training-row count (its FedAvg weight is
 * n_i / Σ n) and a seed its update is regenerated from, so no scheme holds every site's vector.
 */
export interface RoundData {
  params: number;
  seed: number;
  numExamples: number[];
  totalSamples: number;
}

export function roundData(params: number, sites: number, seed: number): RoundData {
  const rng = createRng(deriveSeed(seed, 0xdada));
  // Hospital-sized, unequal sites: weighting matters.
  const numExamples = Array.from({ length: sites }, () => 100 + randomInt(rng, 4901));
  return { params, seed, numExamples, totalSamples: numExamples.reduce((a, b) => a + b, 0) };
}

/** Site `site`'s trained parameters: uniform in [−1, 1] (weights of a trained network), seeded. */
export function siteUpdate(data: RoundData, site: number): SiteUpdate {
  const rng = createRng(deriveSeed(data.seed, site));
  const parameters = new Float32Array(data.params);
  for (let i = 0; i < parameters.length; i++) parameters[i] = 2 * rng() - 1;
  return { parameters, numExamples: data.numExamples[site]!, trainLoss: 0.3 + 0.4 * rng() };
}

/** The FedAvg vector the site submits: [w·θ, w·M, w·loss] with w = n_i / Σ n (the platform's own encoder). */
export function encodeSite(data: RoundData, update: SiteUpdate): Float64Array {
  return fedAvg.encodeUpdate(update, { totalSamples: data.totalSamples, maxAbsParameter: MAX_ABS_PARAMETER }).vector;
}

/** The float64 weighted mean Σ w_i·θ_i / Σ w_i every scheme is checked against. */
export function expectedMean(data: RoundData): Float64Array {
  const sum = new Float64Array(data.params);
  for (let site = 0; site < data.numExamples.length; site++) {
    const { parameters, numExamples } = siteUpdate(data, site);
    const w = numExamples / data.totalSamples;
    for (let i = 0; i < sum.length; i++) sum[i]! += w * parameters[i]!;
  }
  const weights = data.numExamples.reduce((a, n) => a + n / data.totalSamples, 0);
  for (let i = 0; i < sum.length; i++) sum[i]! /= weights;
  return sum;
}

/**
 * The hub's last step for every scheme: the FedAvg division of a decoded sum [Σ w·θ, Σ w·M, Σ w·loss]
 * by Σ w, in float64 and in place (FedAvg.aggregate then casts the model to float32, which is not
 * what is measured). Returns the P averaged parameters, a view of `sum`.
 */
export function averageOf(sum: Float64Array, params: number): Float64Array {
  const totalWeight = sum[params]! / MAX_ABS_PARAMETER;
  const mean = sum.subarray(0, params);
  for (let i = 0; i < params; i++) mean[i]! /= totalWeight;
  return mean;
}

/** Largest |a[i] − b[i]|. */
export function maxAbsError(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
