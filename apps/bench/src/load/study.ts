import { featureDimension } from '@consilium/data';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { FedAvg } from '@consilium/fl/strategy';
import { parameterCount } from '@consilium/fl/model-layout';
import { StudySpec, type ModelSpec } from '@consilium/schemas';
import type { LoadOptions } from './options.ts';

/**
 * A study-valid MLP (hidden layers ≤ 1024 units) on `inputDim` inputs with as close to `target`
 * parameters as one or two hidden layers get.
 */
export function mlpOfAbout(target: number, inputDim: number): { model: ModelSpec; params: number } {
  let best: { model: ModelSpec; params: number } = { model: { type: 'mlp', hiddenUnits: [1], activation: 'relu' }, params: parameterCount({ type: 'mlp', hiddenUnits: [1], activation: 'relu' }, inputDim) };
  const consider = (hiddenUnits: number[]) => {
    const model: ModelSpec = { type: 'mlp', hiddenUnits, activation: 'relu' };
    const params = parameterCount(model, inputDim);
    if (Math.abs(params - target) < Math.abs(best.params - target)) best = { model, params };
  };
  for (let a = 1; a <= 1024; a++) {
    consider([a]);
    // (d+1)·a + (a+1)·b + (b+1) = target  →  b = (target − (d+1)·a − 1) / (a + 2)
    const b = Math.round((target - (inputDim + 1) * a - 1) / (a + 2));
    if (b >= 1 && b <= 1024) consider([a, b]);
  }
  return best;
}

/** The load study: the synthetic cohort's schema, an MLP of about `params` parameters, a small committee. */
export function loadStudySpec(options: LoadOptions): { spec: StudySpec; modelParams: number; vectorLength: number } {
  const base = syntheticStudySpec();
  const { model, params } = mlpOfAbout(options.params, featureDimension(StudySpec.parse(base).data));
  const spec = StudySpec.parse({
    ...base,
    name: `Load benchmark: ${options.agents} agents, ${params} parameters`,
    model,
    training: { ...base.training, rounds: options.rounds },
    federation: {
      ...base.federation,
      // Rounds close when every agent has submitted; the deadline is only a backstop.
      minSitesPerRound: Math.min(2, options.agents),
      roundDeadlineSeconds: options.deadlineS,
      decryptionDeadlineSeconds: options.deadlineS,
      autoStart: true,
    },
    privacy: {
      ...base.privacy,
      secureAggregation: options.encrypted ? 'ckks-multiparty' : 'none',
      committee: { size: options.committeeSize, threshold: options.threshold },
    },
  });
  return { spec, modelParams: params, vectorLength: new FedAvg().vectorLength(params) };
}

/** Hospital-sized sites of different sizes (FedAvg weights differ), well under maxTotalSamples together. */
export function siteProfile(i: number): { samples: number; positives: number } {
  const samples = 100 + ((i * 37) % 400);
  return { samples, positives: Math.max(1, Math.round(samples * (0.1 + ((i * 13) % 30) / 100))) };
}
