import { AppError } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAD_TO_SIGMA, mad, median, robustZ, robustZScores } from './robust-stats.ts';

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    // Arrange
    const odd = [5, 1, 3];
    const even = [4, 1, 3, 2];

    // Act
    const m1 = median(odd);
    const m2 = median(even);

    // Assert
    expect(m1).toBe(3);
    expect(m2).toBe(2.5);
    expect(odd).toEqual([5, 1, 3]);
  });

  it('ignores a wild value that would drag the mean', () => {
    expect(median([0.91, 0.9, 0.92, 0.05])).toBeCloseTo(0.905, 12);
  });

  it('refuses empty and non-finite input', () => {
    expect(() => median([])).toThrow(AppError);
    expect(() => median([1, NaN])).toThrow(/non-finite/);
  });

  it('does not depend on the order of the values (property)', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 30 }), fc.integer(), (values, seed) => {
        const shuffled = [...values].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        expect(median(shuffled)).toBe(median(values));
      }),
    );
  });
});

describe('mad and robustZ', () => {
  it('computes the median absolute deviation and a z that reads like a normal one', () => {
    // Arrange: deviations from the median 3 are 2, 1, 0, 1, 7 → MAD 1.
    const values = [1, 2, 3, 4, 10];

    // Act
    const m = mad(values);
    const z = robustZ(10, median(values), m);

    // Assert
    expect(m).toBe(1);
    expect(z).toBeCloseTo(7 / MAD_TO_SIGMA, 12);
  });

  it('floors the scale when everyone agrees exactly, instead of dividing by zero', () => {
    // Arrange
    const values = [0.9, 0.9, 0.9, 0.8];

    // Act
    const { mad: m, z } = robustZScores(values, { minScale: 0.05 });

    // Assert
    expect(m).toBe(0);
    expect(z[3]).toBeCloseTo(-2, 12);
  });

  it('is shift- and scale-equivariant: z-scores do not change when units do (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 3, maxLength: 20 }).map((xs) => xs.map((x) => x / 100)),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        (values, shift, factor) => {
          const before = robustZScores(values, { minScale: 1e-300 });
          const after = robustZScores(
            values.map((v) => v * factor + shift),
            { minScale: 1e-300 },
          );
          after.z.forEach((z, i) => expect(z).toBeCloseTo(before.z[i]!, 6));
          expect(after.mad).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('refuses a non-positive minScale or a negative MAD', () => {
    expect(() => robustZ(1, 0, 1, { minScale: 0 })).toThrow(/minScale/);
    expect(() => robustZ(1, 0, -1)).toThrow(AppError);
  });
});
