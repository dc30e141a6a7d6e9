import { AppError, describeError, ErrorCode } from '@consilium/errors';
import * as tf from '@tensorflow/tfjs';

/** File name the weights are referenced by in model.json, as tfjs's own savers write it. */
export const WEIGHTS_FILE_NAME = 'weights.bin';

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
