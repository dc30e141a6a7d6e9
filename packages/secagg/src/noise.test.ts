import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { expectAppError } from '../test/support.ts';
import { KEY_NOISE_SIGMA, sampleDiscreteGaussian, TAIL_CUT_SIGMAS } from './noise.ts';

function moments(values: Float64Array): { mean: number; std: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

describe('sampleDiscreteGaussian', () => {
  it.each([
    { sigma: KEY_NOISE_SIGMA, count: 200_000 },
    { sigma: 2 ** 20, count: 100_000 },
  ])('σ = $sigma: integer samples with mean ≈ 0 and std ≈ σ', ({ sigma, count }) => {
    const values = sampleDiscreteGaussian(count, sigma);
    expect(values.length).toBe(count);
    expect(values.every((v) => Number.isInteger(v))).toBe(true);
    const { mean, std } = moments(values);
    // Five standard errors of the mean; the rounded Gaussian's std is sqrt(σ² + 1/12).
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(count));
    expect(std / Math.sqrt(sigma ** 2 + 1 / 12)).toBeGreaterThan(0.98);
    expect(std / Math.sqrt(sigma ** 2 + 1 / 12)).toBeLessThan(1.02);
  });

  it('has a Gaussian shape: 68 % within ±σ (a uniform law with the same std has 58 %)', () => {
    const sigma = 2 ** 20;
    const values = sampleDiscreteGaussian(100_000, sigma);
    const withinOneSigma = values.filter((v) => Math.abs(v) <= sigma).length / values.length;
    expect(withinOneSigma).toBeGreaterThan(0.67);
    expect(withinOneSigma).toBeLessThan(0.7);
  });

  it('cuts the tail at 6σ but still reaches beyond 4σ', () => {
    const values = sampleDiscreteGaussian(200_000, 1);
    const largest = values.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(TAIL_CUT_SIGMAS);
    expect(largest).toBeGreaterThanOrEqual(4);
  });

  it('draws fresh randomness every call', () => {
    expect(sampleDiscreteGaussian(64, 2 ** 20)).not.toEqual(sampleDiscreteGaussian(64, 2 ** 20));
    expect(sampleDiscreteGaussian(0, 1)).toEqual(new Float64Array(0));
    expect(sampleDiscreteGaussian(3, 1)).toHaveLength(3);
  });

  it('rejects a bad count or σ', () => {
    expectAppError(() => sampleDiscreteGaussian(-1, 1), ErrorCode.INVALID_INPUT, /count/);
    expectAppError(() => sampleDiscreteGaussian(1.5, 1), ErrorCode.INVALID_INPUT, /count/);
    expectAppError(() => sampleDiscreteGaussian(4, 0), ErrorCode.INVALID_INPUT, /σ/);
    expectAppError(() => sampleDiscreteGaussian(4, 2 ** 51), ErrorCode.INVALID_INPUT, /σ/);
  });
});
