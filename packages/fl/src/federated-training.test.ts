/**
 * End-to-end: FedAvg over the in-memory transport with real TensorFlow.js training at every site,
 * compared with training the same model on the pooled data.
 */
import type { ModelSpec } from '@consilium/schemas';
import { TrainingConfig } from '@consilium/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../test/synthetic.ts';
import { makeProblem, sample, splitRows } from '../test/synthetic.ts';
import { initialParameters } from './model-layout.ts';
import type { InMemorySite } from './strategy/index.ts';
import { FedAvg, runInMemoryFederation, trainingConfigOf } from './strategy/index.ts';
import {
  evaluateModel,
  getFlatParameters,
  initBackend,
  modelFromFlatParameters,
  setFlatParameters,
  trainCentralized,
  trainLocal,
} from './train/index.ts';

const spec: ModelSpec = { type: 'logistic_regression' };
const problem = makeProblem(8, 21);
const pooled = sample(problem, 1800, 22);
const test = sample(problem, 2000, 23);
const config = TrainingConfig.parse({ rounds: 5, localEpochs: 1, batchSize: 32, learningRate: 0.1, seed: 7 });

/** A hospital: its own rows and its own model, reset to the global parameters every round. */
function site(id: string, data: Dataset): InMemorySite {
  const model = modelFromFlatParameters(spec, data.d, initialParameters(spec, data.d, config.seed));
  return {
    id,
    train: async (global, plan) => {
      setFlatParameters(model, global);
      const result = await trainLocal({ model, ...data, config: trainingConfigOf(plan), roundIndex: plan.roundIndex });
      return { parameters: getFlatParameters(model), ...result };
    },
  };
}

function testMetrics(parameters: Float32Array) {
  const model = modelFromFlatParameters(spec, test.d, parameters);
  const metrics = evaluateModel(model, test.x, test.y, test.n, test.d, config.threshold);
  model.dispose();
  return metrics;
}

beforeAll(async () => {
  await initBackend('auto');
});

/** Runs the whole federated study from scratch (fresh site models). */
async function federate(onRound?: (global: Float32Array) => void) {
  const sites = splitRows(pooled, 3).map((rows, i) => site(`hospital-${i}`, rows));
  return runInMemoryFederation({
    strategy: new FedAvg(),
    sites,
    initialParameters: initialParameters(spec, pooled.d, config.seed),
    config,
    totalSamples: pooled.n,
    maxAbsParameter: 64,
    minReplies: 2,
    onRound: (_, global) => onRound?.(global),
  });
}

describe('federated logistic regression', () => {
  it('reaches high accuracy with 3 sites and lands within 2 points of centralised training', async () => {
    // Prepare
    const accuracyByRound: number[] = [];

    // Execute
    const federated = await federate((global) => accuracyByRound.push(testMetrics(global).accuracy));
    const centralized = await trainCentralized({ spec, ...pooled, config });
    const centralizedMetrics = evaluateModel(centralized.model, test.x, test.y, test.n, test.d, config.threshold);
    centralized.model.dispose();
    const federatedMetrics = testMetrics(federated.parameters);

    // Assert
    expect(federated.rounds.every((round) => round.result?.contributors === 3 && round.clipped === 0)).toBe(true);
    expect(federated.rounds.at(-1)!.result!.trainLoss).toBeLessThan(federated.rounds[0]!.result!.trainLoss);
    expect(accuracyByRound.at(-1)!).toBeGreaterThan(accuracyByRound[0]!);
    expect(federatedMetrics.accuracy).toBeGreaterThan(0.9);
    expect(federatedMetrics.auc!).toBeGreaterThan(0.95);
    expect(Math.abs(federatedMetrics.accuracy - centralizedMetrics.accuracy)).toBeLessThan(0.02);
  });

  it('is reproducible end to end: a second run gives a bit-identical global model', async () => {
    // Execute
    const first = await federate();
    const second = await federate();

    // Assert
    expect(Array.from(second.parameters)).toEqual(Array.from(first.parameters));
  });
});
