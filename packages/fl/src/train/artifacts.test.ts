import { AppError } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProblem, sample } from '../../test/synthetic.ts';
import { createRng } from '@consilium/random';
import { parameterCount } from '../model-layout.ts';
import { exportModelArtifacts, loadModelFromArtifacts, WEIGHTS_FILE_NAME } from './artifacts.ts';
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
});
