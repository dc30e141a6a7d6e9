import { AppError, ErrorCode } from '@consilium/errors';
import type { TrainingConfig } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';
import { firstNonFinite } from '../kernels.ts';
import { PROBABILITY_EPSILON } from '../metrics.ts';
import { createRng, deriveSeed, permutation } from '@consilium/random';
import { inputDimOf } from './model.ts';

/** Reported after every mini-batch. */
export interface TrainProgress {
  /** 0-based. */
  epoch: number;
  epochs: number;
  /** 0-based. */
  batch: number;
  batches: number;
  /** This batch's loss (cross-entropy plus l2 penalty). */
  loss: number;
}

/** One site's local training run. */
export interface TrainLocalOptions {
  /** Trained in place; its weights on return are the site's update. */
  model: tf.LayersModel;
  /** Features, row-major n × d. */
  x: Float32Array;
  /** Labels, 0 or 1. */
  y: Float32Array;
  n: number;
  d: number;
  config: TrainingConfig;
  /** Seeds the shuffle together with config.seed, so each round sees a different order. */
  roundIndex: number;
  onProgress?: (progress: TrainProgress) => void;
}

/** What FedAvg needs from local training besides the weights. */
export interface LocalTrainingResult {
  numExamples: number;
  /** Mean per-row loss over the last epoch (cross-entropy plus l2 penalty, as Keras reports it). */
  trainLoss: number;
}

/** Longest stretch of synchronous training before yielding, so an agent stays responsive. */
const YIELD_EVERY_MS = 100;

/**
 * Mini-batch training of a binary classifier with a deterministic loop: each epoch's order is a
 * permutation seeded by (config.seed, roundIndex, epoch), batches are taken in that order, and the
 * optimizer (sgd or adam at config.learningRate, fresh every call, as FedAvg clients do) minimises
 * mean binary cross-entropy + config.l2 · Σ‖kernel‖² (biases are not penalised). The same inputs
 * give bit-identical weights on the same backend. Every tensor created here is disposed.
 */
export async function trainLocal(options: TrainLocalOptions): Promise<LocalTrainingResult> {
  const { model, x, y, n, d, config, roundIndex, onProgress } = options;
  validateInputs(options);

  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  // Dense kernels are the rank-2 weights; biases (rank 1) are left out of the penalty.
  const kernels = variables.filter((variable) => variable.rank === 2);
  const optimizer = config.optimizer === 'adam' ? tf.train.adam(config.learningRate) : tf.train.sgd(config.learningRate);
  const batchSize = Math.min(config.batchSize, n);
  const batches = Math.ceil(n / batchSize);
  const xs = new Float32Array(n * d);
  const ys = new Float32Array(n);
  let epochLoss = 0;
  let lastYield = performance.now();

  try {
    for (let epoch = 0; epoch < config.localEpochs; epoch++) {
      const order = permutation(n, createRng(deriveSeed(config.seed, roundIndex, epoch)));
      for (let row = 0; row < n; row++) {
        const source = order[row]!;
        xs.set(x.subarray(source * d, (source + 1) * d), row * d);
        ys[row] = y[source]!;
      }

      let lossSum = 0;
      for (let batch = 0; batch < batches; batch++) {
        const start = batch * batchSize;
        const size = Math.min(batchSize, n - start);
        const loss = tf.tidy(() => {
          // slice(), not subarray(): the cpu backend keeps the array, and xs is rewritten next epoch.
          const xb = tf.tensor2d(xs.slice(start * d, (start + size) * d), [size, d]);
          const yb = tf.tensor2d(ys.slice(start, start + size), [size, 1]);
          const cost = optimizer.minimize(() => objective(model, xb, yb, kernels, config.l2), true, variables);
          if (cost === null) throw new AppError(ErrorCode.INTERNAL, 'optimizer.minimize returned no cost');
          return cost.dataSync()[0]!;
        });
        lossSum += loss * size;
        onProgress?.({ epoch, epochs: config.localEpochs, batch, batches, loss });
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
      epochLoss = lossSum / n;
    }
  } finally {
    optimizer.dispose();
  }
  return { numExamples: n, trainLoss: epochLoss };
}

function objective(model: tf.LayersModel, xb: tf.Tensor2D, yb: tf.Tensor2D, kernels: tf.Variable[], l2: number): tf.Scalar {
  const probabilities = tf.clipByValue(model.apply(xb, { training: true }) as tf.Tensor, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
  const logLikelihood = tf.add(tf.mul(yb, tf.log(probabilities)), tf.mul(tf.sub(1, yb), tf.log(tf.sub(1, probabilities))));
  const crossEntropy = tf.neg(tf.mean<tf.Scalar>(logLikelihood));
  if (l2 === 0 || kernels.length === 0) return crossEntropy;
  const penalty = tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel))));
  return tf.add<tf.Scalar>(crossEntropy, tf.mul(l2, penalty));
}

function validateInputs({ model, x, y, n, d }: TrainLocalOptions): void {
  const fail = (message: string, details?: Record<string, unknown>): never => {
    throw new AppError(ErrorCode.INVALID_INPUT, `trainLocal: ${message}`, details === undefined ? undefined : { details });
  };
  if (!Number.isInteger(n) || n < 1) fail(`n must be a positive integer (training rows), got ${n}`);
  if (!Number.isInteger(d) || d < 1) fail(`d must be a positive integer (features), got ${d}`);
  if (x.length !== n * d) fail(`x has ${x.length} values, expected n × d = ${n * d}`);
  if (y.length !== n) fail(`y has ${y.length} labels, expected n = ${n}`);
  const modelDim = inputDimOf(model);
  if (modelDim !== d) fail(`the model expects ${modelDim} features, the data has ${d}`);
  const badFeature = firstNonFinite(x);
  if (badFeature >= 0)
    fail(`feature ${badFeature % d} of row ${Math.floor(badFeature / d)} is ${x[badFeature]}`, {
      row: Math.floor(badFeature / d),
      column: badFeature % d,
    });
  const badLabel = y.findIndex((label) => label !== 0 && label !== 1);
  if (badLabel >= 0) fail(`label of row ${badLabel} is ${y[badLabel]}, expected 0 or 1`, { row: badLabel });
}
