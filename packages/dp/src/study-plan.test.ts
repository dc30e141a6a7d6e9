import { AppError, ErrorCode } from '@consilium/errors';
import { parseStudySpec, type StudySpec, type StudySpecInput } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { createAccountant } from './accountant.ts';
import { gaussianEpsilon } from './rdp.ts';
import { assertPrivacyBudget, dpPlanForSpec, dpValueBound, privacyBudgetCheck } from './study-plan.ts';

const base: StudySpecInput = {
  name: 'DP study',
  data: {
    columns: [
      { name: 'age', type: 'numeric', range: [0, 120] },
      { name: 'readmitted', type: 'categorical', categories: ['no', 'yes'] },
    ],
    target: { column: 'readmitted', positive: ['yes'] },
  },
  model: { type: 'logistic_regression' },
  training: { rounds: 12 },
  federation: { minSitesPerRound: 4 },
};

function specWith(differentialPrivacy: { epsilon: number; clipNorm: number; delta?: number } | undefined): StudySpec {
  return parseStudySpec({ ...base, privacy: differentialPrivacy ? { differentialPrivacy } : {} });
}

describe('dpPlanForSpec', () => {
  it('is null without DP, and otherwise calibrates σ for the spec’s rounds', () => {
    // Execute
    const plan = dpPlanForSpec(specWith({ epsilon: 3, clipNorm: 0.5 }));

    // Assert
    expect(dpPlanForSpec(specWith(undefined))).toBeNull();
    expect(plan).not.toBeNull();
    expect(plan!).toMatchObject({ epsilon: 3, delta: 1e-5, clipNorm: 0.5, rounds: 12, minContributors: 4 });
    expect(plan!.sigmaTotal).toBeCloseTo(plan!.noiseMultiplier * 0.5, 12);
    expect(gaussianEpsilon({ noiseMultiplier: plan!.noiseMultiplier, rounds: 12, delta: 1e-5 })).toBeLessThanOrEqual(3);
    expect(plan!.epsilonPerRound).toBeCloseTo(gaussianEpsilon({ noiseMultiplier: plan!.noiseMultiplier, rounds: 1, delta: 1e-5 }), 12);
    expect(plan!.epsilonPerRound * 12).toBeGreaterThan(3);
  });
});

describe('privacyBudgetCheck', () => {
  it('agrees with a running accountant and stops after exactly the planned rounds, saying why', () => {
    // Prepare
    const spec = specWith({ epsilon: 3, clipNorm: 1 });
    const sigma = dpPlanForSpec(spec)!.noiseMultiplier;
    const accountant = createAccountant({ delta: 1e-5 });

    // Execute / Assert
    for (let completed = 0; completed < 12; completed++) {
      const status = privacyBudgetCheck(spec, completed);
      expect(status.exhausted).toBe(false);
      expect(status.spent).toBeCloseTo(accountant.epsilon(), 12);
      expect(status.remaining).toBeCloseTo(3 - accountant.epsilon(), 12);
      accountant.spend(sigma);
    }
    const done = privacyBudgetCheck(spec, 12);
    expect(done.exhausted).toBe(true);
    expect(done.message).toMatch(/^privacy budget exhausted: ε spent 2\.9\d* of 3 after 12 rounds$/);
    expect(privacyBudgetCheck(spec, 3).message).toMatch(/^ε spent [\d.]+ of 3 after 3 rounds; the next round brings it to [\d.]+$/);
  });

  it('never stops a study without DP, and throws PRIVACY_BUDGET_EXHAUSTED from assertPrivacyBudget', () => {
    expect(privacyBudgetCheck(specWith(undefined), 500)).toMatchObject({ spent: 0, remaining: Infinity, exhausted: false });
    const spec = specWith({ epsilon: 1, clipNorm: 1 });
    expect(assertPrivacyBudget(spec, 0).exhausted).toBe(false);
    try {
      assertPrivacyBudget(spec, 12);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(ErrorCode.PRIVACY_BUDGET_EXHAUSTED);
      expect((error as AppError).message).toMatch(/privacy budget exhausted: ε spent 0\.\d+ of 1 after 12 rounds/);
    }
    expect(() => privacyBudgetCheck(spec, -1)).toThrow(AppError);
  });
});

describe('dpValueBound', () => {
  it('adds 9 noise standard deviations to maxAbsParameter, more when more sites may submit', () => {
    const spec = specWith({ epsilon: 3, clipNorm: 0.5 });
    const { sigmaTotal } = dpPlanForSpec(spec)!;
    expect(dpValueBound(specWith(undefined), 10)).toBe(64);
    expect(dpValueBound(spec, 4)).toBeCloseTo(64 + 9 * sigmaTotal, 10);
    expect(dpValueBound(spec, 2)).toBeCloseTo(64 + 9 * sigmaTotal, 10);
    expect(dpValueBound(spec, 16)).toBeCloseTo(64 + 18 * sigmaTotal, 10);
  });
});
