import type { ModelSpec, TrainingConfig } from '@consilium/schemas';
import type * as tf from '@tensorflow/tfjs';
import { buildModel } from './model.ts';
import type { LocalTrainingResult } from './train-local.ts';
import { trainLocal } from './train-local.ts';

/** A pooled-data baseline run. */
export interface CentralizedOptions {
  spec: ModelSpec;
  /** All rows pooled, row-major n × d. */
  x: Float32Array;
  y: Float32Array;
  n: number;
  d: number;
  config: TrainingConfig;
  /** Passes over the pooled data; defaults to rounds × localEpochs, the passes each site makes. */
  epochs?: number;
}

/**
 * Trains the same model on pooled data with the same code path as a site (trainLocal), so a
 * federated run can be compared with what centralising the data would have given. The caller
 * disposes the returned model.
 */
export async function trainCentralized(options: CentralizedOptions): Promise<LocalTrainingResult & { model: tf.Sequential }> {
  const { spec, x, y, n, d, config } = options;
  const epochs = options.epochs ?? config.rounds * config.localEpochs;
  const model = buildModel(spec, d, config.seed);
  try {
    const result = await trainLocal({ model, x, y, n, d, config: { ...config, localEpochs: epochs }, roundIndex: 0 });
    return { ...result, model };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
