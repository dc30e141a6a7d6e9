import { AppError } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProblem, sample } from '../../test/synthetic.ts';
import { createRng } from '@consilium/random';
import { parameterCount } from '../model-layout.ts';
import * as tf from '@tensorflow/tfjs';
import { exportModelArtifacts, loadModelFromArtifacts, modelArtifactsFromParameters, WEIGHTS_FILE_NAME } from './artifacts.ts';
import { initBackend } from './backend.ts';
import { predictProbabilities } from './evaluate.ts';
import { modelFromFlatParameters } from './model.ts';
import { getFlatParameters } from './parameters.ts';

const spec: ModelSpec = { type: 'mlp', hiddenUnits: [5, 3], activation: 'tanh' };
const d = 4;

beforeAll(async () => {
  await initBackend('auto');
});

describe('model artifacts', () => {
  it('round-trips through model.json and weights.bin with identical parameters and predictions', async () => {
    // Prepare
    const rng = createRng(4);
    const model = modelFromFlatParameters(spec, d, Float32Array.from({ length: parameterCount(spec, d) }, () => rng() - 0.5));
    const { x, n } = sample(makeProblem(d, 1), 50, 2);

    // Execute: through JSON text and a fresh byte array, as storing them would.
    const files = await exportModelArtifacts(model);
    const loaded = await loadModelFromArtifacts({
      modelJson: JSON.parse(JSON.stringify(files.modelJson)),
      weightsBin: Uint8Array.from(files.weightsBin),
    });

    // Assert
    expect(files.modelJson.weightsManifest[0]!.paths).toEqual([WEIGHTS_FILE_NAME]);
    expect(files.weightsBin.byteLength).toBe(4 * parameterCount(spec, d));
    expect(Array.from(getFlatParameters(loaded))).toEqual(Array.from(getFlatParameters(model)));
    expect(Array.from(predictProbabilities(loaded, x, n, d))).toEqual(Array.from(predictProbabilities(model, x, n, d)));
    model.dispose();
    loaded.dispose();
  });

  it('refuses a malformed model.json and truncated weights', async () => {
    // Prepare
    const model = modelFromFlatParameters({ type: 'logistic_regression' }, d, new Float32Array(d + 1));
    const files = await exportModelArtifacts(model);
    model.dispose();

    // Execute / Assert
    await expect(loadModelFromArtifacts({ modelJson: { weightsManifest: [] }, weightsBin: files.weightsBin })).rejects.toThrow(
      AppError,
    );
    await expect(loadModelFromArtifacts({ ...files, weightsBin: files.weightsBin.subarray(0, 8) })).rejects.toThrow(
      /Could not load/,
    );
  });

  it('builds model.json and weights.bin from the hub\'s flat parameter bytes; tf.io.fromMemory loads them back unchanged', async () => {
    // Prepare: the hub's storage format, little-endian float32 bytes, at an odd offset in a larger buffer.
    const rng = createRng(9);
    const flat = Float32Array.from({ length: parameterCount(spec, d) }, () => rng() - 0.5);
    const stored = new Uint8Array(flat.byteLength + 3);
    const view = new DataView(stored.buffer, 3);
    flat.forEach((value, i) => view.setFloat32(i * 4, value, true));
    const bytes = stored.subarray(3);

    // Execute: through JSON text and a fresh copy of the weights, as a download would.
    const files = await modelArtifactsFromParameters(spec, d, bytes);
    const modelJson = JSON.parse(JSON.stringify(files.modelJson)) as tf.io.ModelJSON;
    const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: Uint8Array.from(files.weightsBin).buffer }));

    // Assert
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0]!.paths).toEqual([WEIGHTS_FILE_NAME]);
    expect(files.weightsBin.byteLength).toBe(flat.byteLength);
    expect(Array.from(getFlatParameters(loaded))).toEqual(Array.from(flat));
    loaded.dispose();
    // Deterministic: built again (tfjs' name counters have moved on), byte for byte the same files.
    const again = await modelArtifactsFromParameters(spec, d, flat);
    expect(JSON.stringify(again.modelJson)).toBe(JSON.stringify(files.modelJson));
    expect(again.weightsBin).toEqual(files.weightsBin);
  });

  it('refuses parameters that do not fit the architecture or are not whole float32 values', async () => {
    await expect(modelArtifactsFromParameters(spec, d, new Float32Array(parameterCount(spec, d) - 1))).rejects.toThrow(/parameters/);
    await expect(modelArtifactsFromParameters(spec, d, new Uint8Array(7))).rejects.toThrow(/float32/);
  });
});
