import { AppError } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { initialParameters, parameterCount } from '../model-layout.ts';
import { initBackend } from './backend.ts';
import { predictProbabilities } from './evaluate.ts';
import { buildModel, modelFromFlatParameters } from './model.ts';
import { getFlatParameters, setFlatParameters } from './parameters.ts';

const mlp: ModelSpec = { type: 'mlp', hiddenUnits: [3, 2], activation: 'relu' };
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

beforeAll(async () => {
  await initBackend('auto');
});

describe('buildModel', () => {
  it('builds the layers of the spec with the seeded initial parameters', () => {
    // Execute
    const model = buildModel(mlp, 4, 9);
    const twin = buildModel(mlp, 4, 9);

    // Assert
    expect(model.layers.map((layer) => layer.getConfig().units)).toEqual([3, 2, 1]);
    expect(model.countParams()).toBe(parameterCount(mlp, 4));
    expect(Array.from(getFlatParameters(model))).toEqual(Array.from(initialParameters(mlp, 4, 9)));
    expect(Array.from(getFlatParameters(twin))).toEqual(Array.from(getFlatParameters(model)));
    model.dispose();
    twin.dispose();
  });
});

describe('flat parameters', () => {
  it('round-trips through set and get, and leaves the caller’s array alone', () => {
    // Prepare
    const model = buildModel(mlp, 4, 1);
    const params = Float32Array.from({ length: parameterCount(mlp, 4) }, (_, i) => i / 10 - 1);

    // Execute
    setFlatParameters(model, params);
    params.fill(0);
    const read = getFlatParameters(model);

    // Assert
    expect(Array.from(read)).toEqual(
      Array.from(Float32Array.from({ length: read.length }, (_, i) => i / 10 - 1)),
    );
    model.dispose();
  });

  it('orders a logistic regression as [kernel…, bias], so predictions are sigmoid(x·w + b)', () => {
    // Prepare
    const model = modelFromFlatParameters({ type: 'logistic_regression' }, 3, Float32Array.of(0.5, -1, 2, 0.25));
    const x = Float32Array.of(1, 2, 3, -1, 0, 0.5);

    // Execute
    const p = predictProbabilities(model, x, 2, 3);

    // Assert
    expect(p[0]).toBeCloseTo(sigmoid(0.5 - 2 + 6 + 0.25), 6);
    expect(p[1]).toBeCloseTo(sigmoid(-0.5 + 1 + 0.25), 6);
    model.dispose();
  });

  it('orders an MLP kernel row-major (inputs × units), matching a hand-written forward pass', () => {
    // Prepare: 2 → 2 (relu) → 1 (sigmoid).
    const spec: ModelSpec = { type: 'mlp', hiddenUnits: [2], activation: 'relu' };
    const [k11, k12, k21, k22, b1, b2, v1, v2, c] = [0.5, -1, 2, 0.3, 0.1, -0.2, 1.5, -0.7, 0.05];
    const model = modelFromFlatParameters(spec, 2, Float32Array.of(k11, k12, k21, k22, b1, b2, v1, v2, c));
    const [x1, x2] = [0.8, -0.4];

    // Execute
    const p = predictProbabilities(model, Float32Array.of(x1, x2), 1, 2);

    // Assert
    const h1 = Math.max(0, x1 * k11 + x2 * k21 + b1);
    const h2 = Math.max(0, x1 * k12 + x2 * k22 + b2);
    expect(p[0]).toBeCloseTo(sigmoid(h1 * v1 + h2 * v2 + c), 6);
    model.dispose();
  });

  it('refuses a vector of the wrong length', () => {
    // Prepare
    const model = buildModel({ type: 'logistic_regression' }, 3, 1);

    // Execute / Assert
    expect(() => setFlatParameters(model, new Float32Array(3))).toThrow(AppError);
    expect(() => modelFromFlatParameters(mlp, 4, new Float32Array(5))).toThrow(/parameters but 5 values/);
    model.dispose();
  });
});
