import { chooseScaleBits, chunkCount } from '@consilium/secagg';
import { statisticsLayout, featureDimension } from '@consilium/data';
import { FedAvg } from '@consilium/fl/strategy';
import { parameterCount } from '@consilium/fl/model-layout';
import type { RoundKind, StudySpec, VectorEncoding } from '@consilium/schemas';
import type { HubCrypto } from '../crypto.ts';
import { isEncrypted } from '../studies/load-study.ts';

/** The strategy every training round uses (weighted FedAvg); privacy layers wrap it, not the reverse. */
export const strategy = new FedAvg();

/** Length of the additive vector each site submits in a round of this kind. */
export function roundVectorLength(spec: StudySpec, kind: RoundKind): number {
  if (kind === 'stats') return statisticsLayout(spec.data).length;
  return strategy.vectorLength(parameterCount(spec.model, featureDimension(spec.data)));
}

/**
 * How sites encode a round's vector. The CKKS scale comes from a public bound on the summed values:
 * statistics sum to at most `maxTotalSamples` (every entry is a count or a sum of values in [0, 1]);
 * FedAvg vectors sum to at most `maxAbsParameter` (weights n_i / N sum to ≤ 1).
 */
export async function roundEncoding(crypto: HubCrypto, spec: StudySpec, kind: RoundKind): Promise<VectorEncoding> {
  const length = roundVectorLength(spec, kind);
  if (!isEncrypted(spec)) return { scheme: 'plaintext', length, chunkCount: 1 };
  const context = await crypto.context(spec.privacy.ckks);
  const bound = kind === 'stats' ? spec.federation.maxTotalSamples : spec.privacy.maxAbsParameter;
  return {
    scheme: 'ckks-multiparty',
    ckks: spec.privacy.ckks,
    scaleBits: chooseScaleBits(context, bound),
    length,
    chunkCount: chunkCount(context, length),
  };
}
