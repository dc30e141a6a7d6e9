import { AppError, ErrorCode } from '@consilium/errors';
import type { EvalMetrics } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';
import { binaryMetrics } from '../metrics.ts';
import { inputDimOf } from './model.ts';

/** Rows per forward pass: bounds the memory a large evaluation set needs. */
const PREDICT_CHUNK_ROWS = 8192;

/** P(y = 1) for each of the n rows of `x` (row-major n × d). */
export function predictProbabilities(model: tf.LayersModel, x: Float32Array, n: number, d: number): Float32Array {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1 || x.length !== n * d)
    throw new AppError(ErrorCode.INVALID_INPUT, `predictProbabilities: x has ${x.length} values, expected n × d = ${n} × ${d}`);
  const modelDim = inputDimOf(model);
  if (modelDim !== d)
    throw new AppError(ErrorCode.INVALID_INPUT, `predictProbabilities: the model expects ${modelDim} features, the data has ${d}`);
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
    const rows = Math.min(PREDICT_CHUNK_ROWS, n - start);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.slice(start * d, (start + rows) * d), [rows, d]);
      return (model.apply(input) as tf.Tensor).dataSync();
    });
    out.set(values, start);
  }
  return out;
}

/** The model's metrics on a labelled set at the given decision threshold (see binaryMetrics). */
export function evaluateModel(
  model: tf.LayersModel,
  x: Float32Array,
  y: Float32Array,
  n: number,
  d: number,
  threshold: number,
): EvalMetrics {
  return binaryMetrics(predictProbabilities(model, x, n, d), y, threshold);
}
