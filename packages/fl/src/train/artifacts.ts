import { AppError, describeError, ErrorCode } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';
import { modelFromFlatParameters } from './model.ts';

/** File name the weights are referenced by in model.json, as tfjs's own savers write it. */
export const WEIGHTS_FILE_NAME = 'weights.bin';

/** The name of models built by modelArtifactsFromParameters (and prefix of their layers' names). */
export const MODEL_NAME = 'consilium';

/** A model in the standard TensorFlow.js layers format: model.json plus one weights file. */
export interface ModelArtifactsFiles {
  /** The model.json document (topology and weights manifest). */
  modelJson: tf.io.ModelJSON;
  /** The weights file model.json refers to as weights.bin. */
  weightsBin: Uint8Array;
}

/**
 * Serialises a model without touching the file system (tfjs has no file:// saver without
 * tfjs-node). Written to model.json and weights.bin side by side, the result loads with
 * tf.loadLayersModel in any TensorFlow.js runtime.
 */
export async function exportModelArtifacts(model: tf.LayersModel): Promise<ModelArtifactsFiles> {
  const captured: tf.io.ModelArtifacts[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured.push(artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = captured[0];
  if (artifacts?.modelTopology === undefined || artifacts.weightSpecs === undefined || artifacts.weightData === undefined)
    throw new AppError(ErrorCode.INTERNAL, 'TensorFlow.js saved no topology or weights');
  return {
    modelJson: {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: [WEIGHTS_FILE_NAME], weights: artifacts.weightSpecs }],
    },
    weightsBin: new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)),
  };
}

/**
 * The TensorFlow.js files of a model given as the hub stores it: `spec`, the number of inputs and
 * the flat float32 parameters (little-endian bytes or a Float32Array). INVALID_INPUT when the
 * parameters do not fit the architecture. The model is built on the current backend (cpu unless
 * another was chosen) and disposed before returning.
 */
export async function modelArtifactsFromParameters(spec: ModelSpec, inputDim: number, parameters: Float32Array | Uint8Array): Promise<ModelArtifactsFiles> {
  const flat = parameters instanceof Float32Array ? parameters : float32FromBytes(parameters);
  await tf.ready();
  // Fixed names: the same parameters always give the same model.json (its hash is in the model card).
  const model = modelFromFlatParameters(spec, inputDim, flat, { name: MODEL_NAME });
  try {
    return await exportModelArtifacts(model);
  } finally {
    model.dispose();
  }
}

/** Little-endian float32 bytes as numbers (copied: `bytes` need not be 4-byte aligned). */
function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new AppError(ErrorCode.INVALID_INPUT, `${bytes.byteLength} bytes are not a whole number of float32 parameters`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Rebuilds a model from exportModelArtifacts' output (or any single-weights-file tfjs layers model).
 * `modelJson` is checked for shape because it usually comes from storage: INVALID_INPUT when it or
 * the weights do not describe a loadable model.
 */
export async function loadModelFromArtifacts(files: { modelJson: unknown; weightsBin: Uint8Array }): Promise<tf.LayersModel> {
  const modelJson = files.modelJson;
  if (!isModelJson(modelJson))
    throw new AppError(ErrorCode.INVALID_INPUT, 'model.json needs an object modelTopology and an array weightsManifest');
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  // slice(): an ArrayBuffer of exactly these bytes, even when weightsBin is a view into a larger one.
  const weightData = files.weightsBin.slice().buffer;
  try {
    const artifacts = tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, weightData);
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Could not load the model artifacts: ${describeError(error)}`, { cause: error });
  }
}

function isModelJson(value: unknown): value is tf.io.ModelJSON {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.modelTopology === 'object' &&
    candidate.modelTopology !== null &&
    Array.isArray(candidate.weightsManifest) &&
    candidate.weightsManifest.every(
      (group: unknown) => typeof group === 'object' && group !== null && Array.isArray((group as { weights?: unknown }).weights),
    )
  );
}
