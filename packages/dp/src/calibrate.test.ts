import { describe, expect, it } from 'vitest';
import { calibrateNoiseMultiplier } from './calibrate.ts';
import { gaussianEpsilon } from './rdp.ts';

describe('calibrateNoiseMultiplier', () => {
  it('returns the smallest σ meeting the target', () => {
    for (const epsilon of [0.1, 0.5, 1, 3, 8, 30])
      for (const rounds of [1, 20, 200]) {
        // Execute
        const sigma = calibrateNoiseMultiplier({ epsilon, delta: 1e-5, rounds });

        // Assert: meets the target, and 0.01 % less noise would not.
        expect(gaussianEpsilon({ noiseMultiplier: sigma, rounds, delta: 1e-5 })).toBeLessThanOrEqual(epsilon);
        expect(gaussianEpsilon({ noiseMultiplier: sigma * 0.9999, rounds, delta: 1e-5 })).toBeGreaterThan(epsilon);
      }
  });

  it('needs more noise for more rounds, a smaller ε or a smaller δ', () => {
    const sigma = (epsilon: number, delta: number, rounds: number) => calibrateNoiseMultiplier({ epsilon, delta, rounds });
    expect(sigma(1, 1e-5, 40)).toBeGreaterThan(sigma(1, 1e-5, 20));
    expect(sigma(0.5, 1e-5, 20)).toBeGreaterThan(sigma(1, 1e-5, 20));
    expect(sigma(1, 1e-7, 20)).toBeGreaterThan(sigma(1, 1e-5, 20));
    // Without subsampling, σ scales as √T for a fixed target.
    expect(sigma(1, 1e-5, 400) / sigma(1, 1e-5, 100)).toBeCloseTo(2, 6);
  });

  it('refuses targets it cannot meet or that mean nothing', () => {
    expect(() => calibrateNoiseMultiplier({ epsilon: 0, delta: 1e-5, rounds: 1 })).toThrow(/ε/);
    expect(() => calibrateNoiseMultiplier({ epsilon: Infinity, delta: 1e-5, rounds: 1 })).toThrow(/ε/);
    expect(() => calibrateNoiseMultiplier({ epsilon: 1e-7, delta: 1e-5, rounds: 1000 })).toThrow(/noise multiplier above/);
    expect(calibrateNoiseMultiplier({ epsilon: 1, delta: 1e-5, rounds: 0 })).toBe(0);
  });
});
