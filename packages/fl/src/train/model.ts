import type { ModelSpec } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';
import { denseLayers, initialParameters } from '../model-layout.ts';
import { setFlatParameters } from './parameters.ts';

/**
 * Without a name, tfjs numbers models and layers from a process-wide counter (sequential_3,
 * dense_Dense7), so two builds of the same model serialise differently. A `name` fixes the model's
 * and its layers' names (`<name>_dense_<i>`): the saved model.json is then the same every time.
 */
export interface ModelNaming {
  name?: string;
}

/**
 * The untrained architecture of `spec`: dense layers ending in one sigmoid unit. Weights are left
 * at zero; callers set them (initial, global or loaded parameters) with setFlatParameters.
 */
export function createModel(spec: ModelSpec, inputDim: number, options: ModelNaming = {}): tf.Sequential {
  const model = options.name === undefined ? tf.sequential() : tf.sequential({ name: options.name });
  denseLayers(spec, inputDim).forEach((layer, index) =>
    model.add(
      tf.layers.dense({
        units: layer.units,
        activation: layer.activation,
        ...(options.name === undefined ? {} : { name: `${options.name}_dense_${index + 1}` }),
        // Zeros avoid spending tfjs's (unseeded) random initialisers on values we overwrite.
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        ...(index === 0 ? { inputShape: [inputDim] } : {}),
      }),
    ),
  );
  return model;
}

/**
 * A binary classifier for `spec` with seeded initial weights: every site building it with the same
 * spec, input dimension and seed gets bit-identical weights. Dispose it with model.dispose().
 */
export function buildModel(spec: ModelSpec, inputDim: number, seed: number): tf.Sequential {
  const model = createModel(spec, inputDim);
  setFlatParameters(model, initialParameters(spec, inputDim, seed));
  return model;
}

/** A model for `spec` holding `parameters` (e.g. a global model received from the hub). */
export function modelFromFlatParameters(spec: ModelSpec, inputDim: number, parameters: Float32Array, options: ModelNaming = {}): tf.Sequential {
  const model = createModel(spec, inputDim, options);
  try {
    setFlatParameters(model, parameters);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Number of input features a model expects. */
export function inputDimOf(model: tf.LayersModel): number {
  const shape = model.inputs[0]?.shape;
  const dim = shape?.[shape.length - 1];
  return typeof dim === 'number' ? dim : 0;
}
