import { AppError } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { clipL2 } from './clip.ts';

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));

describe('clipL2', () => {
  it('scales an update above the bound down to it, keeping its direction', () => {
    // Prepare: ‖(3, 4)‖ = 5.
    const update = Float32Array.of(3, 4);

    // Execute
    const { clipped, norm: before, scale } = clipL2(update, 1);

    // Assert
    expect(before).toBe(5);
    expect(scale).toBeCloseTo(0.2, 6);
    expect(clipped).toBeInstanceOf(Float32Array);
    expect(clipped[0]! / clipped[1]!).toBeCloseTo(0.75, 6);
    expect(norm(clipped)).toBeLessThanOrEqual(1);
    expect(Array.from(update)).toEqual([3, 4]);
  });

  it('leaves an update within the bound unchanged (a copy), and never clips with C = ∞', () => {
    const update = Float64Array.of(0.1, -0.2, 0.3);
    const within = clipL2(update, 1);
    expect(within.scale).toBe(1);
    expect(within.clipped).not.toBe(update);
    expect(Array.from(within.clipped)).toEqual([0.1, -0.2, 0.3]);
    expect(clipL2(Float64Array.of(1e30, 1e30), Infinity).scale).toBe(1);
    expect(clipL2(new Float32Array(4), 0.5).scale).toBe(1);
  });

  it('guarantees the bound on the stored float32 values, whatever the rounding', () => {
    // Prepare: many random vectors and awkward bounds, where rounding to float32 could overshoot.
    for (let trial = 0; trial < 500; trial++) {
      const update = Float32Array.from({ length: 1 + (trial % 37) }, (_, i) => Math.sin(trial * 31 + i * 7) * 10 ** ((i % 5) - 2));
      const bound = 0.001 + (trial % 13) * 0.0731;

      // Execute
      const { clipped } = clipL2(update, bound);

      // Assert
      expect(norm(clipped)).toBeLessThanOrEqual(bound);
    }
  });

  it('refuses non-finite entries and non-positive bounds', () => {
    expect(() => clipL2(Float32Array.of(1, NaN), 1)).toThrow(AppError);
    expect(() => clipL2(Float64Array.of(Infinity), 1)).toThrow(/non-finite/);
    expect(() => clipL2(Float64Array.of(1), 0)).toThrow(/clipNorm/);
  });
});
