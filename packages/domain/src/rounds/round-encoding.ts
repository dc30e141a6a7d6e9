import { chooseScaleBits, chunkCount } from '@consilium/secagg';
import { statisticsLayout, featureDimension } from '@consilium/data';
import { dpPlanForSpec, dpValueBound, FedAvg, withDifferentialPrivacy, type Strategy } from '@consilium/fl/strategy';
import { parameterCount } from '@consilium/fl/model-layout';
import type { RoundKind, StudySpec, VectorEncoding } from '@consilium/schemas';
import type { HubCrypto } from '../crypto.ts';
import { isEncrypted } from '../studies/load-study.ts';

/** The strategy every training round uses (weighted FedAvg); privacy layers wrap it, not the reverse. */
export const strategy = new FedAvg();

/**
 * The strategy a study aggregates with: FedAvg, wrapped in the differential-privacy layer when the
 * study sets (ε, δ) — the layer undoes the loss scaling its clipping applied at the sites.
 */
export function studyStrategy(spec: StudySpec): Strategy {
  const plan = dpPlanForSpec(spec);
  return plan ? withDifferentialPrivacy(strategy, plan) : strategy;
}

/** Length of the additive vector each site submits in a round of this kind. */
export function roundVectorLength(spec: StudySpec, kind: RoundKind): number {
  if (kind === 'stats') return statisticsLayout(spec.data).length;
  return strategy.vectorLength(parameterCount(spec.model, featureDimension(spec.data)));
}

/**
 * Public bound on every entry of a round's vector and of its sum: statistics are counts or sums of
 * values in [0, 1], so at most `maxTotalSamples`; FedAvg entries are at most `maxAbsParameter`
 * (weights n_i / N sum to ≤ 1), plus the tail of the summed DP noise when the study uses DP.
 */
export function roundValueBound(spec: StudySpec, kind: RoundKind, sites: number): number {
  return kind === 'stats' ? spec.federation.maxTotalSamples : dpValueBound(spec, sites);
}

/**
 * How sites encode a round's vector. The CKKS scale comes from the round's public value bound.
 */
export async function roundEncoding(crypto: HubCrypto, spec: StudySpec, kind: RoundKind, sites: number): Promise<VectorEncoding> {
  const length = roundVectorLength(spec, kind);
  if (!isEncrypted(spec)) return { scheme: 'plaintext', length, chunkCount: 1 };
  const context = await crypto.context(spec.privacy.ckks);
  const bound = roundValueBound(spec, kind, sites);
  return {
    scheme: 'ckks-multiparty',
    ckks: spec.privacy.ckks,
    scaleBits: chooseScaleBits(context, bound),
    length,
    chunkCount: chunkCount(context, length),
  };
}
