import { describe, expect, it } from 'vitest';
import { createAccountant } from './accountant.ts';
import { calibrateNoiseMultiplier } from './calibrate.ts';
import { gaussianEpsilon } from './rdp.ts';

describe('createAccountant', () => {
  it('starts at ε = 0 and records rounds, equal to the closed form', () => {
    // Prepare
    const accountant = createAccountant({ delta: 1e-5 });

    // Execute
    const before = accountant.epsilon();
    accountant.spend(4);
    const one = accountant.epsilon();
    accountant.spend(4, 9);

    // Assert
    expect(before).toBe(0);
    expect(one).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: 4, rounds: 1, delta: 1e-5 }), 12);
    expect(accountant.rounds()).toBe(10);
    expect(accountant.epsilon()).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: 4, rounds: 10, delta: 1e-5 }), 12);
  });

  it('composes releases with different σ by adding their RDP', () => {
    // Prepare: one round at σ plus one at σ' is a Gaussian with 1/σ_eff² = 1/σ² + 1/σ'².
    const accountant = createAccountant({ delta: 1e-6 });

    // Execute
    accountant.spend(3);
    accountant.spend(4);

    // Assert: 1/9 + 1/16 = 25/144, σ_eff = 12/5.
    expect(accountant.epsilon()).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: 12 / 5, rounds: 1, delta: 1e-6 }), 10);
  });

  it('says when one more round would exceed a target, exactly at the calibrated number of rounds', () => {
    // Prepare: σ calibrated for ε = 3 over 12 rounds.
    const sigma = calibrateNoiseMultiplier({ epsilon: 3, delta: 1e-5, rounds: 12 });
    const accountant = createAccountant({ delta: 1e-5 });

    // Execute / Assert
    for (let round = 0; round < 12; round++) {
      expect(accountant.wouldExceed(3, sigma)).toBe(false);
      accountant.spend(sigma);
    }
    expect(accountant.epsilon()).toBeLessThanOrEqual(3);
    expect(accountant.epsilon()).toBeGreaterThan(2.99);
    expect(accountant.wouldExceed(3, sigma)).toBe(true);
  });

  it('reports infinite ε once a noiseless release is recorded, and refuses bad input without changing', () => {
    const accountant = createAccountant({ delta: 1e-5 });
    accountant.spend(2);
    const before = accountant.epsilon();
    expect(() => accountant.spend(-1)).toThrow(/noise multiplier/);
    expect(() => accountant.spend(2, 1.5)).toThrow(/rounds/);
    expect(accountant.epsilon()).toBe(before);
    accountant.spend(0);
    expect(accountant.epsilon()).toBe(Infinity);
    expect(() => createAccountant({ delta: 2 })).toThrow(/δ/);
  });
});
