import { AppError } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { exactGaussianEpsilon, gaussianDelta, normalCdf } from './analytic-gaussian.ts';
import { DEFAULT_ORDERS, epsilonFromRdp, gaussianEpsilon, rdpGaussian } from './rdp.ts';
import { zcdpEpsilon, zcdpGaussian } from './zcdp.ts';

describe('rdpGaussian', () => {
  it('is TF-Privacy/Opacus compute_rdp at q = 1: α / (2σ²)', () => {
    // Execute / Assert: compute_rdp(q=1.0, noise_multiplier=σ, steps=1, orders=[α]).
    expect(rdpGaussian(1, 2)).toBe(1);
    expect(rdpGaussian(1.1, 32)).toBeCloseTo(13.223140495867769, 14);
    expect(rdpGaussian(4, 1.5)).toBeCloseTo(0.046875, 15);
    expect(rdpGaussian(0, 2)).toBe(Infinity);
    expect(() => rdpGaussian(1, 1)).toThrow(AppError);
    expect(() => rdpGaussian(-1, 2)).toThrow(/noise multiplier/);
  });
});

describe('gaussianEpsilon (RDP, tight conversion)', () => {
  it('matches the conversion optimised over every real order, to the grid’s resolution', () => {
    // Reference: scipy's bounded minimisation of T·α/(2σ²) + log((α−1)/α) − (log δ + log α)/(α−1).
    const cases = [
      { noiseMultiplier: 1, rounds: 1, delta: 1e-5, continuous: 4.728386984943314 },
      { noiseMultiplier: 2, rounds: 1, delta: 1e-5, continuous: 2.165715545175485 },
      { noiseMultiplier: 5, rounds: 20, delta: 1e-5, continuous: 4.161533497432808 },
      { noiseMultiplier: 10, rounds: 100, delta: 1e-6, continuous: 5.221534444530169 },
    ];
    for (const { continuous, ...options } of cases) {
      const epsilon = gaussianEpsilon(options);
      expect(epsilon).toBeGreaterThanOrEqual(continuous - 1e-12);
      expect(epsilon - continuous).toBeLessThan(1e-3);
    }
  });

  it('never understates the exact ε of the Gaussian mechanism (Balle & Wang 2018), and is within 10 % of it in practice', () => {
    // Reference values computed independently with scipy (brentq on δ(ε) of μ-GDP, μ = √T/σ).
    const cases = [
      { noiseMultiplier: 1, rounds: 1, delta: 1e-5, exact: 4.3771780956812245 },
      { noiseMultiplier: 2, rounds: 1, delta: 1e-5, exact: 1.9930914044151182 },
      { noiseMultiplier: 5, rounds: 20, delta: 1e-5, exact: 3.848610282537983 },
      { noiseMultiplier: 10, rounds: 100, delta: 1e-6, exact: 4.886554117462211 },
    ];
    for (const { exact, ...options } of cases) {
      expect(exactGaussianEpsilon(options)).toBeCloseTo(exact, 9);
      const rdp = gaussianEpsilon(options);
      expect(rdp).toBeGreaterThan(exact);
      expect(rdp / exact).toBeLessThan(1.1);
    }
  });

  it('is below the zCDP bound ρ + 2√(ρ log 1/δ) and above the exact ε across practical settings', () => {
    for (const noiseMultiplier of [0.8, 1, 2, 5, 10, 30, 100])
      for (const rounds of [1, 10, 100])
        for (const delta of [1e-3, 1e-5, 1e-8]) {
          const rdp = gaussianEpsilon({ noiseMultiplier, rounds, delta });
          expect(rdp).toBeLessThanOrEqual(zcdpEpsilon(zcdpGaussian(noiseMultiplier, rounds), delta));
          expect(rdp).toBeGreaterThanOrEqual(exactGaussianEpsilon({ noiseMultiplier, rounds, delta }));
        }
  });

  it('composes linearly in RDP: T rounds at σ equal one round at σ/√T', () => {
    for (const [sigma, rounds] of [[3, 4], [10, 25], [1.7, 9]] as const) {
      const composed = gaussianEpsilon({ noiseMultiplier: sigma, rounds, delta: 1e-5 });
      expect(composed).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: sigma / Math.sqrt(rounds), rounds: 1, delta: 1e-5 }), 10);
    }
    const rdp = DEFAULT_ORDERS.map((alpha) => 7 * rdpGaussian(2, alpha));
    expect(epsilonFromRdp(rdp, DEFAULT_ORDERS, 1e-5).epsilon).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: 2, rounds: 7, delta: 1e-5 }), 12);
  });

  it('grows with rounds, shrinks with σ and with δ', () => {
    const at = (noiseMultiplier: number, rounds: number, delta: number) => gaussianEpsilon({ noiseMultiplier, rounds, delta });
    for (let t = 1; t < 50; t++) expect(at(3, t + 1, 1e-5)).toBeGreaterThan(at(3, t, 1e-5));
    for (let s = 0.5; s < 50; s *= 1.3) expect(at(s * 1.3, 20, 1e-5)).toBeLessThan(at(s, 20, 1e-5));
    for (const d of [1e-9, 1e-7, 1e-5, 1e-3]) expect(at(3, 20, d * 10)).toBeLessThan(at(3, 20, d));
    expect(at(3, 0, 1e-5)).toBe(0);
    expect(at(0, 1, 1e-5)).toBe(Infinity);
  });

  it('refuses δ outside (0, 1) and orders ≤ 1', () => {
    expect(() => gaussianEpsilon({ noiseMultiplier: 1, rounds: 1, delta: 0 })).toThrow(/δ/);
    expect(() => gaussianEpsilon({ noiseMultiplier: 1, rounds: 1, delta: 1 })).toThrow(AppError);
    expect(() => epsilonFromRdp([1], [1], 1e-5)).toThrow(/order/);
    expect(() => epsilonFromRdp([1, 2], [2], 1e-5)).toThrow(/length/);
  });
});

describe('exact Gaussian curve (reference)', () => {
  it('reproduces textbook values: Φ, δ(ε) of 1-GDP, and Balle & Wang’s σ ≈ 3.73 for (1, 1e-5)', () => {
    // Φ(−0.5) = 0.308538, Φ(−1.5) = 0.0668072; δ(1) = Φ(−0.5) − e·Φ(−1.5) for μ = 1.
    expect(normalCdf(-0.5)).toBeCloseTo(0.3085375387259869, 15);
    expect(normalCdf(-8)).toBeCloseTo(6.22096057427174e-16, 28);
    expect(normalCdf(0.3)).toBeCloseTo(0.6179114221889526, 15);
    expect(gaussianDelta(1, 1)).toBeCloseTo(0.1269367375066442, 12);
    // σ = 3.7306 calibrates one release to exactly ε = 1 (the classical bound needs 4.84).
    expect(exactGaussianEpsilon({ noiseMultiplier: 3.7306316348159454, rounds: 1, delta: 1e-5 })).toBeCloseTo(1, 8);
  });
});

describe('zCDP', () => {
  it('gives ρ = T/(2σ²) and ε = ρ + 2√(ρ log 1/δ)', () => {
    expect(zcdpGaussian(1)).toBe(0.5);
    expect(zcdpGaussian(2, 8)).toBe(1);
    expect(zcdpEpsilon(0.5, 1e-5)).toBeCloseTo(0.5 + 2 * Math.sqrt(0.5 * Math.log(1e5)), 14);
    expect(zcdpEpsilon(0.5, 1e-5)).toBeCloseTo(5.298526, 5);
  });
});
