import { buildModel, getFlatParameters, initBackend, parameterCount, trainLocal } from '@consilium/fl/train';
import { TrainingConfig } from '@consilium/schemas';
import type { ModelSpec } from '@consilium/schemas';
import { createRng, deriveSeed } from '@consilium/random';

export interface TrainingMeasurement {
  backend: string;
  model: ModelSpec;
  input_dim: number;
  model_params: number;
  rows: number;
  config: Pick<TrainingConfig, 'localEpochs' | 'batchSize' | 'optimizer' | 'learningRate'>;
  /** Measured time of one local epoch (trainLocal) plus reading the weights out. */
  measured_s: number;
  /** measured_s × params / model_params: the model is sized to the nearest shape, not exactly. */
  train_s: number;
}

/** A study-valid MLP shape (≤ 1024 hidden units) with about `params` parameters: d inputs, h hidden units, one output. */
export function modelShape(params: number): { spec: ModelSpec; inputDim: number } {
  const hidden = Math.max(1, Math.min(1024, Math.round(Math.sqrt(params))));
  const inputDim = Math.max(1, Math.round((params - 1 - 2 * hidden) / hidden));
  return { spec: { type: 'mlp', hiddenUnits: [hidden], activation: 'relu' }, inputDim };
}

/**
 * Local training time for a model of `params` parameters, for real: the platform's trainLocal (what
 * an agent runs) for one epoch of `rows` synthetic rows, with the study defaults (batch 32, sgd).
 * Every scheme's round includes this same time.
 */
export async function measureTraining(params: number, rows: number, seed: number): Promise<TrainingMeasurement> {
  const backend = await initBackend('auto');
  const { spec, inputDim } = modelShape(params);
  const modelParams = parameterCount(spec, inputDim);
  const rng = createRng(deriveSeed(seed, 0x7a17));
  const x = Float32Array.from({ length: rows * inputDim }, () => 2 * rng() - 1);
  const y = Float32Array.from({ length: rows }, () => (rng() < 0.5 ? 0 : 1));
  const config = TrainingConfig.parse({ localEpochs: 1, seed });
  const model = buildModel(spec, inputDim, seed);
  try {
    const started = performance.now();
    await trainLocal({ model, x, y, n: rows, d: inputDim, config, roundIndex: 1 });
    getFlatParameters(model);
    const measuredS = (performance.now() - started) / 1000;
    return {
      backend,
      model: spec,
      input_dim: inputDim,
      model_params: modelParams,
      rows,
      config: { localEpochs: config.localEpochs, batchSize: config.batchSize, optimizer: config.optimizer, learningRate: config.learningRate },
      measured_s: measuredS,
      train_s: (measuredS * params) / modelParams,
    };
  } finally {
    model.dispose();
  }
}
