import { AppError } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { addInto, addScaledInto, clipInPlace, difference, firstNonFinite, l2Norm, maxAbs, scaleInto } from './kernels.ts';

describe('kernels', () => {
  it('adds, adds scaled and scales element-wise, float32 sources into float64 targets', () => {
    // Prepare
    const target = Float64Array.of(1, 2, 3);
    const source = Float32Array.of(0.5, -1, 2);

    // Execute
    addInto(target, source);
    const afterAdd = Array.from(target);
    addScaledInto(target, source, -2);
    const afterAddScaled = Array.from(target);
    scaleInto(target, target, 3);

    // Assert
    expect(afterAdd).toEqual([1.5, 1, 5]);
    expect(afterAddScaled).toEqual([0.5, 3, 1]);
    expect(Array.from(target)).toEqual([1.5, 9, 3]);
  });

  it('refuses vectors of different lengths instead of reading past the end', () => {
    // Prepare
    const target = new Float64Array(3);
    const source = new Float64Array(2);

    // Execute / Assert
    expect(() => addInto(target, source)).toThrow(AppError);
    expect(() => addScaledInto(target, source, 1)).toThrow(/lengths differ/);
    expect(() => scaleInto(target, source, 1)).toThrow(AppError);
    expect(() => difference(target, source)).toThrow(AppError);
  });

  it('clips to ±bound in place and counts only the entries it changed', () => {
    // Prepare
    const values = Float64Array.of(-5, -2, 0, 2, 2.5, Infinity);

    // Execute
    const clipped = clipInPlace(values, 2);

    // Assert
    expect(clipped).toBe(3);
    expect(Array.from(values)).toEqual([-2, -2, 0, 2, 2, 2]);
  });

  it('computes norms, maxima, differences and finds non-finite entries', () => {
    // Prepare
    const v = Float32Array.of(3, -4);

    // Execute / Assert
    expect(l2Norm(v)).toBe(5);
    expect(maxAbs(v)).toBe(4);
    expect(maxAbs(new Float64Array(0))).toBe(0);
    expect(Array.from(difference(v, Float32Array.of(1, 1)))).toEqual([2, -5]);
    expect(firstNonFinite(v)).toBe(-1);
    expect(firstNonFinite(Float64Array.of(1, NaN, Infinity))).toBe(1);
  });
});
