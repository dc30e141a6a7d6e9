import { describe, expect, it } from 'vitest';
import { normalCdf } from './analytic-gaussian.ts';
import { gaussianNoise, gaussianNoiseShare } from './noise.ts';

function moments(values: Float64Array): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

describe('gaussianNoise', () => {
  it('draws N(0, std²): mean, variance and tail mass match', () => {
    // Prepare / Execute: 200 000 samples; the standard error of the variance is about 0.3 %.
    const samples = gaussianNoise(200_001, 2.5);
    const { mean, variance } = moments(samples);

    // Assert (well beyond 5 standard errors, so the test does not flake)
    expect(samples.length).toBe(200_001);
    expect(Math.abs(mean)).toBeLessThan(5 * (2.5 / Math.sqrt(200_001)));
    expect(Math.abs(variance / 6.25 - 1)).toBeLessThan(0.02);
    const beyond2 = samples.filter((v) => Math.abs(v) > 5).length / samples.length;
    expect(Math.abs(beyond2 - 2 * normalCdf(-2))).toBeLessThan(0.003);
  });

  it('differs on every call (node:crypto, not a seed) and is all zeros at std 0', () => {
    expect(Array.from(gaussianNoise(8, 1))).not.toEqual(Array.from(gaussianNoise(8, 1)));
    expect(Array.from(gaussianNoise(3, 0))).toEqual([0, 0, 0]);
    expect(gaussianNoise(0, 1).length).toBe(0);
    expect(() => gaussianNoise(-1, 1)).toThrow(/length/);
    expect(() => gaussianNoise(2, NaN)).toThrow(/std/);
  });
});

describe('gaussianNoiseShare', () => {
  it('gives each site σ²/m, so the sum of m shares carries σ² and fewer shares carry less', () => {
    // Prepare: m = 4 sites, σ_total = 3; 50 000 coordinates per site.
    const m = 4;
    const shares = Array.from({ length: m }, () => gaussianNoiseShare(50_000, { sigmaTotal: 3, minContributors: m }));
    const sum = (count: number) => {
      const out = new Float64Array(50_000);
      for (const share of shares.slice(0, count)) share.forEach((v, i) => (out[i] = out[i]! + v));
      return out;
    };

    // Execute / Assert
    // 50,000 samples: the variance's relative standard error is √(2/50000) ≈ 0.63%; 3.5% is 5.5σ.
    expect(Math.abs(moments(shares[0]!).variance / (9 / 4) - 1)).toBeLessThan(0.035);
    expect(moments(sum(4)).variance / 9).toBeGreaterThan(0.97);
    expect(moments(sum(4)).variance / 9).toBeLessThan(1.03);
    // One site adding nothing removes 1/m of the variance.
    expect(moments(sum(3)).variance / (9 * 0.75)).toBeCloseTo(1, 1);
    expect(() => gaussianNoiseShare(1, { sigmaTotal: 1, minContributors: 0 })).toThrow(/minContributors/);
  });
});
