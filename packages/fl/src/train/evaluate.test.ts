import { AppError } from '@consilium/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryMetrics } from '../metrics.ts';
import { initBackend } from './backend.ts';
import { evaluateModel, predictProbabilities } from './evaluate.ts';
import { modelFromFlatParameters } from './model.ts';

beforeAll(async () => {
  await initBackend('auto');
});

describe('evaluateModel', () => {
  it('scores the model’s probabilities with binaryMetrics', () => {
    // Prepare: p = sigmoid(2·x), so rows at x = −1, 0.2, 1 give 0.12, 0.60, 0.88.
    const model = modelFromFlatParameters({ type: 'logistic_regression' }, 1, Float32Array.of(2, 0));
    const x = Float32Array.of(-1, 0.2, 1);
    const y = Float32Array.of(0, 0, 1);

    // Execute
    const metrics = evaluateModel(model, x, y, 3, 1, 0.5);

    // Assert
    expect(metrics).toEqual(binaryMetrics(predictProbabilities(model, x, 3, 1), y, 0.5));
    expect(metrics.accuracy).toBeCloseTo(2 / 3, 12);
    expect(metrics.auc).toBe(1);
    model.dispose();
  });

  it('handles an empty set and refuses data of the wrong width', () => {
    // Prepare
    const model = modelFromFlatParameters({ type: 'logistic_regression' }, 2, Float32Array.of(1, 1, 0));

    // Execute / Assert
    expect(evaluateModel(model, new Float32Array(0), new Float32Array(0), 0, 2, 0.5).n).toBe(0);
    expect(() => predictProbabilities(model, new Float32Array(3), 1, 3)).toThrow(AppError);
    expect(() => predictProbabilities(model, new Float32Array(3), 2, 2)).toThrow(/n × d/);
    model.dispose();
  });
});
