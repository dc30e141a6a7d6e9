/**
 * The shape of a ModelSpec as plain numbers: which dense layers, how many parameters, and the
 * seeded initial values. No TensorFlow.js, so the hub can size the additive vector
 * (strategy.vectorLength(parameterCount(...))) without loading it.
 *
 * Flat parameter order, shared with ./train: layer by layer, the kernel (row-major,
 * inputs × units) then the bias (units).
 */
import { AppError, ErrorCode } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { createRng, deriveSeed } from '@consilium/random';

/** One fully connected layer. */
export interface DenseLayerShape {
  inputs: number;
  units: number;
  activation: 'relu' | 'tanh' | 'sigmoid';
}

/** The dense layers of `spec` for `inputDim` features, ending in the single sigmoid output unit. */
export function denseLayers(spec: ModelSpec, inputDim: number): DenseLayerShape[] {
  if (!Number.isInteger(inputDim) || inputDim < 1)
    throw new AppError(ErrorCode.INVALID_INPUT, `inputDim must be a positive integer, got ${inputDim}`);
  const layers: DenseLayerShape[] = [];
  let inputs = inputDim;
  if (spec.type === 'mlp') {
    for (const units of spec.hiddenUnits) {
      layers.push({ inputs, units, activation: spec.activation });
      inputs = units;
    }
  }
  layers.push({ inputs, units: 1, activation: 'sigmoid' });
  return layers;
}

/** Number of trainable parameters (kernels and biases). */
export function parameterCount(spec: ModelSpec, inputDim: number): number {
  return denseLayers(spec, inputDim).reduce((total, layer) => total + (layer.inputs + 1) * layer.units, 0);
}

/**
 * Seeded initial parameters: Glorot-uniform kernels (the Keras default) and zero biases. Computed
 * here rather than by tfjs initialisers so that every site, whatever its backend, starts from
 * bit-identical weights for the same seed.
 */
export function initialParameters(spec: ModelSpec, inputDim: number, seed: number): Float32Array {
  const layers = denseLayers(spec, inputDim);
  const out = new Float32Array(parameterCount(spec, inputDim));
  const rng = createRng(deriveSeed(seed));
  let offset = 0;
  for (const layer of layers) {
    const limit = Math.sqrt(6 / (layer.inputs + layer.units));
    const kernelSize = layer.inputs * layer.units;
    for (let i = 0; i < kernelSize; i++) out[offset + i] = (2 * rng() - 1) * limit;
    // Biases stay 0.
    offset += kernelSize + layer.units;
  }
  return out;
}
