import { AppError, ErrorCode } from '@consilium/errors';
import * as tf from '@tensorflow/tfjs';

/**
 * All weights of `model` as one vector, in the model's weight order (layer by layer, kernel then
 * bias), which is the order of ../model-layout.
 */
export function getFlatParameters(model: tf.LayersModel): Float32Array {
  const weights = model.weights;
  const out = new Float32Array(weights.reduce((total, w) => total + sizeOf(w.shape), 0));
  let offset = 0;
  for (const weight of weights) {
    // read() returns the variable itself, not a copy: it must not be disposed.
    const values = weight.read().dataSync();
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}

/** Overwrites every weight of `model` from a flat vector (INVALID_INPUT when the length is wrong). */
export function setFlatParameters(model: tf.LayersModel, parameters: Float32Array): void {
  const weights = model.weights;
  const expected = weights.reduce((total, w) => total + sizeOf(w.shape), 0);
  if (parameters.length !== expected)
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `The model has ${expected} parameters but ${parameters.length} values were given`,
      { details: { expected, actual: parameters.length } },
    );
  tf.tidy(() => {
    let offset = 0;
    const tensors = weights.map((weight) => {
      const shape = weight.shape.map((dim) => dim ?? 0);
      const size = sizeOf(shape);
      // A copy: the cpu backend keeps the array it is given, and the caller may reuse theirs.
      const tensor = tf.tensor(parameters.slice(offset, offset + size), shape, 'float32');
      offset += size;
      return tensor;
    });
    // Variables take their own reference to the data, so tidy may dispose these tensors.
    model.setWeights(tensors);
  });
}

/** Number of values in a weight; weights always have concrete dimensions, nulls only in input shapes. */
function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((product, dim) => product * (dim ?? 0), 1);
}
