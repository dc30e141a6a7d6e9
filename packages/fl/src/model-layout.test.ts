import { AppError } from '@consilium/errors';
import type { ModelSpec } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { denseLayers, initialParameters, parameterCount } from './model-layout.ts';

describe('model layout', () => {
  it('counts kernels and biases of logistic regression and of an MLP', () => {
    // Execute / Assert
    expect(parameterCount({ type: 'logistic_regression' }, 5)).toBe(6);
    // 5·4 + 4, then 4·3 + 3, then 3·1 + 1
    expect(parameterCount({ type: 'mlp', hiddenUnits: [4, 3], activation: 'tanh' }, 5)).toBe(43);
    expect(denseLayers({ type: 'mlp', hiddenUnits: [4], activation: 'relu' }, 2)).toEqual([
      { inputs: 2, units: 4, activation: 'relu' },
      { inputs: 4, units: 1, activation: 'sigmoid' },
    ]);
  });

  it('initialises identically for the same seed, with zero biases and Glorot-bounded kernels', () => {
    // Prepare
    const spec: ModelSpec = { type: 'mlp', hiddenUnits: [4], activation: 'relu' };

    // Execute
    const first = initialParameters(spec, 3, 11);
    const again = initialParameters(spec, 3, 11);
    const other = initialParameters(spec, 3, 12);

    // Assert
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(other)).not.toEqual(Array.from(first));
    const hiddenKernel = first.subarray(0, 12);
    const hiddenBias = first.subarray(12, 16);
    const outputKernel = first.subarray(16, 20);
    const outputBias = first[20];
    expect(Array.from(hiddenBias)).toEqual([0, 0, 0, 0]);
    expect(outputBias).toBe(0);
    expect(hiddenKernel.every((v) => Math.abs(v) <= Math.sqrt(6 / 7) && v !== 0)).toBe(true);
    expect(outputKernel.every((v) => Math.abs(v) <= Math.sqrt(6 / 5) && v !== 0)).toBe(true);
  });

  it('refuses an input dimension that is not a positive integer', () => {
    // Execute / Assert
    expect(() => parameterCount({ type: 'logistic_regression' }, 0)).toThrow(AppError);
    expect(() => parameterCount({ type: 'logistic_regression' }, 2.5)).toThrow(/inputDim/);
  });
});
