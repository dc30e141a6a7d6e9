import { encodeFeatures } from '@consilium/data';
import {
  dpPlanForSpec,
  FedAvg,
  runInMemoryFederation,
  trainingConfigOf,
  withDifferentialPrivacy,
  type InMemorySite,
  type Strategy,
} from '@consilium/fl/strategy';
import { buildModel, getFlatParameters, initialParameters, modelFromFlatParameters, setFlatParameters, trainLocal } from '@consilium/fl/train';
import { parseStudySpec, type StudySpec } from '@consilium/schemas';
import { scoreModel } from './evaluate.ts';
import { statisticsOf, testSets, type HospitalSplit } from './heart-data.ts';

/** One setting of the sweep: a target ε, clipping without noise (ε = ∞), or plain FedAvg. */
export interface DpSetting {
  label: string;
  /** null for ∞ and for no DP. */
  epsilon: number | null;
  noiseMultiplier: number;
  /** Pooled-test accuracy and AUC of each run (noise differs between runs; training order does not). */
  runs: Array<{ accuracy: number; auc: number | null }>;
}

export interface DpSweepOptions {
  epsilons: number[];
  delta: number;
  clipNorm: number;
  /** Runs per noisy setting; the noiseless ones are deterministic and run once. */
  repeats: number;
  log: (line: string) => void;
}

/**
 * Accuracy against ε on one split: DP-FedAvg over the four hospitals in memory (the same strategy
 * code, clipping and noise shares as the agents, summed in float64 where the hub would decrypt),
 * with every hospital in every round as in the federated study. Standardisation uses the pooled
 * training statistics, which the encrypted statistics round computes exactly. Also returns the
 * norms ‖θ_i − θ_global‖ of plain FedAvg's updates, the yardstick for choosing the clip norm.
 */
export async function runDpSweep(
  spec: StudySpec,
  hospitals: HospitalSplit[],
  options: DpSweepOptions,
): Promise<{ settings: DpSetting[]; updateNorms: number[] }> {
  const { epsilons, delta, clipNorm, repeats, log } = options;
  const minContributors = spec.federation.minSitesPerRound;
  const updateNorms: number[] = [];
  const fedAvg = new FedAvg();

  const settings: DpSetting[] = [];
  settings.push({ label: 'no DP', epsilon: null, noiseMultiplier: 0, runs: [await federate(spec, hospitals, fedAvg, (norm) => updateNorms.push(norm))] });
  const clipOnly = withDifferentialPrivacy(fedAvg, { clipNorm, noiseMultiplier: 0, minContributors });
  settings.push({ label: '∞ (clip only)', epsilon: null, noiseMultiplier: 0, runs: [await federate(spec, hospitals, clipOnly)] });
  log(`dp: no DP and clip-only runs done`);

  for (const epsilon of epsilons) {
    const dpSpec = parseStudySpec({ ...spec, privacy: { ...spec.privacy, differentialPrivacy: { epsilon, delta, clipNorm } } });
    const plan = dpPlanForSpec(dpSpec)!;
    const runs = [];
    for (let r = 0; r < repeats; r++) runs.push(await federate(dpSpec, hospitals, withDifferentialPrivacy(fedAvg, plan)));
    settings.push({ label: String(epsilon), epsilon, noiseMultiplier: plan.noiseMultiplier, runs });
    log(`dp: ε = ${epsilon} (σ = ${plan.noiseMultiplier.toFixed(3)}) done, ${repeats} run(s)`);
  }
  return { settings, updateNorms };
}

/** One in-memory federated run of `strategy`, scored on the pooled test set. */
async function federate(
  spec: StudySpec,
  hospitals: HospitalSplit[],
  strategy: Strategy,
  onUpdateNorm?: (norm: number) => void,
): Promise<{ accuracy: number; auc: number | null }> {
  const stats = statisticsOf(spec, hospitals.map((h) => h.train));
  const standardise = spec.preprocessing.standardize === 'federated' ? stats : null;
  const data = hospitals.map((h) => encodeFeatures(spec.data, h.train, standardise));
  const d = data[0]!.d;
  const models = data.map(() => buildModel(spec.model, d, spec.training.seed));
  try {
    const sites: InMemorySite[] = hospitals.map((h, i) => ({
      id: h.slug,
      train: async (global, plan) => {
        const model = models[i]!;
        const { x, y, n } = data[i]!;
        setFlatParameters(model, global);
        const result = await trainLocal({ model, x, y, n, d, config: trainingConfigOf(plan), roundIndex: plan.roundIndex });
        const parameters = getFlatParameters(model);
        onUpdateNorm?.(Math.hypot(...parameters.map((v, j) => v - global[j]!)));
        return { parameters, numExamples: result.numExamples, trainLoss: result.trainLoss };
      },
    }));
    const run = await runInMemoryFederation({
      strategy,
      sites,
      initialParameters: initialParameters(spec.model, d, spec.training.seed),
      config: spec.training,
      totalSamples: data.reduce((total, set) => total + set.n, 0),
      maxAbsParameter: spec.privacy.maxAbsParameter,
      minReplies: spec.federation.minSitesPerRound,
    });
    const model = modelFromFlatParameters(spec.model, d, run.parameters);
    try {
      const pooled = scoreModel(model, testSets(spec, hospitals, stats), spec.training.threshold).pooled!;
      return { accuracy: pooled.accuracy, auc: pooled.auc };
    } finally {
      model.dispose();
    }
  } finally {
    for (const model of models) model.dispose();
  }
}
