import { AppError } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { TrainingConfig } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProblem, sample } from '../../test/synthetic.ts';
import { l2Norm } from '../kernels.ts';
import { initBackend } from './backend.ts';
import { evaluateModel } from './evaluate.ts';
import { buildModel } from './model.ts';
import { getFlatParameters } from './parameters.ts';
import type { TrainProgress } from './train-local.ts';
import { trainLocal } from './train-local.ts';

const data = sample(makeProblem(6, 1), 300, 2);
const config = TrainingConfig.parse({ localEpochs: 2, batchSize: 32, learningRate: 0.1, seed: 5 });
const mlp: ModelSpec = { type: 'mlp', hiddenUnits: [8], activation: 'tanh' };

/** Trains a fresh model and returns its final parameters and result. */
async function trainFresh(spec: ModelSpec, overrides: Partial<TrainingConfig> = {}, roundIndex = 0) {
  const model = buildModel(spec, data.d, config.seed);
  const result = await trainLocal({ model, ...data, config: { ...config, ...overrides }, roundIndex });
  const parameters = getFlatParameters(model);
  const metrics = evaluateModel(model, data.x, data.y, data.n, data.d, 0.5);
  model.dispose();
  return { result, parameters, metrics };
}

beforeAll(async () => {
  await initBackend('auto');
});

describe('trainLocal', () => {
  it('is deterministic: the same inputs give bit-identical parameters and loss', async () => {
    // Execute
    const first = await trainFresh(mlp, { optimizer: 'adam', learningRate: 0.01 });
    const second = await trainFresh(mlp, { optimizer: 'adam', learningRate: 0.01 });

    // Assert
    expect(Array.from(second.parameters)).toEqual(Array.from(first.parameters));
    expect(second.result).toEqual(first.result);
  });

  it('shuffles differently in another round, so the result differs', async () => {
    // Execute
    const round0 = await trainFresh({ type: 'logistic_regression' }, {}, 0);
    const round1 = await trainFresh({ type: 'logistic_regression' }, {}, 1);

    // Assert
    expect(Array.from(round1.parameters)).not.toEqual(Array.from(round0.parameters));
  });

  it('learns: loss falls below the initial model’s and accuracy is high on separable data', async () => {
    // Prepare
    const untrained = buildModel({ type: 'logistic_regression' }, data.d, config.seed);
    const before = evaluateModel(untrained, data.x, data.y, data.n, data.d, 0.5);
    untrained.dispose();

    // Execute
    const { result, metrics } = await trainFresh({ type: 'logistic_regression' }, { localEpochs: 10, learningRate: 0.5 });

    // Assert
    expect(result.numExamples).toBe(300);
    expect(metrics.loss).toBeLessThan(before.loss);
    expect(result.trainLoss).toBeLessThan(before.loss);
    expect(metrics.accuracy).toBeGreaterThan(0.85);
  });

  it('shrinks kernels under an l2 penalty', async () => {
    // Execute
    const plain = await trainFresh({ type: 'logistic_regression' }, { localEpochs: 3 });
    const penalised = await trainFresh({ type: 'logistic_regression' }, { localEpochs: 3, l2: 0.1 });

    // Assert: the first d entries are the kernel.
    expect(l2Norm(penalised.parameters.subarray(0, data.d))).toBeLessThan(0.8 * l2Norm(plain.parameters.subarray(0, data.d)));
  });

  it('leaves no tensors behind, with either optimizer and with the penalty', async () => {
    // Prepare
    const model = buildModel(mlp, data.d, 1);
    await trainLocal({ model, ...data, config, roundIndex: 0 }); // warm-up allocations
    const before = tf.memory().numTensors;

    // Execute
    for (const optimizer of ['sgd', 'adam'] as const)
      await trainLocal({ model, ...data, config: { ...config, optimizer, l2: 0.01 }, roundIndex: 1 });
    const after = tf.memory().numTensors;
    model.dispose();

    // Assert
    expect(after).toBe(before);
  });

  it('reports progress for every batch of every epoch', async () => {
    // Prepare
    const model = buildModel({ type: 'logistic_regression' }, data.d, 1);
    const progress: TrainProgress[] = [];

    // Execute
    await trainLocal({ model, ...data, config: { ...config, batchSize: 128 }, roundIndex: 0, onProgress: (p) => progress.push(p) });
    model.dispose();

    // Assert: 300 rows in batches of 128 → 3 batches per epoch, 2 epochs.
    expect(progress.map((p) => [p.epoch, p.batch])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    expect(progress.every((p) => p.epochs === 2 && p.batches === 3 && p.loss > 0)).toBe(true);
  });

  it('refuses inputs that do not match the model or are not binary-labelled', async () => {
    // Prepare
    const model = buildModel({ type: 'logistic_regression' }, 2, 1);
    const run = (x: Float32Array, y: Float32Array, n: number, d: number) =>
      trainLocal({ model, x, y, n, d, config, roundIndex: 0 });

    // Execute / Assert
    await expect(run(Float32Array.of(1, 2), Float32Array.of(2), 1, 2)).rejects.toThrow(/expected 0 or 1/);
    await expect(run(Float32Array.of(1, NaN), Float32Array.of(1), 1, 2)).rejects.toThrow(/feature 1 of row 0/);
    await expect(run(Float32Array.of(1, 2, 3), Float32Array.of(1), 1, 3)).rejects.toThrow(/expects 2 features/);
    await expect(run(Float32Array.of(1, 2, 3), Float32Array.of(1), 1, 2)).rejects.toThrow(AppError);
    await expect(run(new Float32Array(0), new Float32Array(0), 0, 2)).rejects.toThrow(/positive integer/);
    model.dispose();
  });
});
