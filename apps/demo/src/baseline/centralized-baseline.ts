import { concatDatasets, encodeFeatures, globalStatistics, localStatistics, splitTrainTest, type GlobalStatistics, type LocalDataset } from '@consilium/data';
import { AppError, ErrorCode } from '@consilium/errors';
import { evaluateModel, initBackend, trainCentralized } from '@consilium/fl/train';
import type { EvalMetrics, StudySpec } from '@consilium/schemas';
import { poolSiteMetrics, type PooledMetrics } from '../report/pooled-metrics.ts';

/** The centralized model's metrics on each site's held-out rows, and pooled. */
export interface BaselineResult {
  sites: Record<string, EvalMetrics>;
  overall: PooledMetrics;
  /** Rows it trained on (all sites' training rows). */
  trainRows: number;
  epochs: number;
  trainMs: number;
}

/**
 * What centralising the data would have given: the study's model trained by the same code
 * (`trainCentralized`, the sites' trainLocal) on every site's training rows pooled, for as many
 * passes as each site made in total (rounds × local epochs), with the same seed and settings.
 * Each site's rows are split exactly as its agent splits them, features are standardised with the
 * pooled training rows' statistics (what the encrypted statistics round computes), and the model
 * is evaluated on each site's held-out rows as the agents evaluate the federated model.
 */
export async function trainCentralizedBaseline(spec: StudySpec, datasets: ReadonlyMap<string, LocalDataset>): Promise<BaselineResult> {
  if (datasets.size === 0) throw new AppError(ErrorCode.INVALID_INPUT, 'The centralized baseline needs at least one site');
  const splits = [...datasets].map(([name, dataset]) => ({ name, ...splitTrainTest(dataset, { testFraction: spec.training.testFraction, seed: spec.training.seed }) }));
  const pooledTrain = concatDatasets(splits.map((s) => s.train));
  const statistics = spec.preprocessing.standardize === 'federated' ? pooledStatistics(spec, splits.map((s) => s.train)) : null;
  const train = encodeFeatures(spec.data, pooledTrain, statistics);
  const epochs = spec.training.rounds * spec.training.localEpochs;

  await initBackend('auto');
  const started = performance.now();
  const { model } = await trainCentralized({ spec: spec.model, x: train.x, y: train.y, n: train.n, d: train.d, config: spec.training, epochs });
  const trainMs = performance.now() - started;
  try {
    const sites: Record<string, EvalMetrics> = {};
    for (const split of splits) {
      const test = encodeFeatures(spec.data, split.test, statistics);
      sites[split.name] = evaluateModel(model, test.x, test.y, test.n, test.d, spec.training.threshold);
    }
    return { sites, overall: poolSiteMetrics(Object.values(sites)), trainRows: train.n, epochs, trainMs };
  } finally {
    model.dispose();
  }
}

/** The statistics round's result, computed in the clear: the sum of every site's contribution. */
function pooledStatistics(spec: StudySpec, trainSets: readonly LocalDataset[]): GlobalStatistics {
  const parts = trainSets.map((train) => localStatistics(spec.data, train));
  const sum = new Float64Array(parts[0]?.length ?? 0);
  for (const part of parts) part.forEach((value, i) => (sum[i] = (sum[i] ?? 0) + value));
  return globalStatistics(spec.data, sum);
}
