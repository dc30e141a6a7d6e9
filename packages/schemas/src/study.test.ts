import { AppError, ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { parseStudySpec, type StudySpecInput } from './study.ts';

const valid: StudySpecInput = {
  name: 'Readmission study',
  data: {
    columns: [
      { name: 'age', type: 'numeric', range: [0, 120] },
      { name: 'ward', type: 'categorical', categories: ['a', 'b'] },
      { name: 'readmitted', type: 'categorical', categories: ['no', 'yes'] },
    ],
    target: { column: 'readmitted', positive: ['yes'] },
  },
  model: { type: 'logistic_regression' },
};

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseStudySpec(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.INVALID_INPUT);
    return (error as AppError).details!.issues as Array<{ path: string; message: string }>;
  }
  throw new Error('expected the spec to be rejected');
}

describe('study spec', () => {
  it('fills sensible defaults: encrypted, federated standardisation, at least two sites', () => {
    const spec = parseStudySpec(valid);
    expect(spec.privacy.secureAggregation).toBe('ckks-multiparty');
    expect(spec.privacy.ckks).toEqual({ polyModulusDegree: 4096, coeffModulusBits: [60, 49], smudgingSigmaBits: 20 });
    expect(spec.preprocessing.standardize).toBe('federated');
    expect(spec.federation.minSitesPerRound).toBe(2);
    expect(spec.data.missingPolicy).toBe('drop_row');
  });

  it('names the bad field of a wrong value, a missing field and an unknown field', () => {
    const issues = issuesOf({ ...valid, training: { rounds: 0, learnignRate: 0.1 }, model: { type: 'mlp' } });
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('training.rounds');
    expect(paths).toContain('training');
    expect(issues.find((i) => i.path === 'training')?.message).toMatch(/learnignRate/);
    expect(paths).toContain('model.hiddenUnits');
  });

  it('checks the data schema: target must be a declared categorical column with a negative class', () => {
    const noTarget = issuesOf({ ...valid, data: { ...valid.data, target: { column: 'outcome', positive: ['yes'] } } });
    expect(noTarget).toContainEqual({ path: 'data.target.column', message: expect.stringMatching(/not a declared column/) });
    const numericTarget = issuesOf({ ...valid, data: { ...valid.data, target: { column: 'age', positive: ['1'] } } });
    expect(numericTarget[0]!.message).toMatch(/must be a categorical column/);
    const allPositive = issuesOf({ ...valid, data: { ...valid.data, target: { column: 'readmitted', positive: ['no', 'yes'] } } });
    expect(allPositive[0]!.message).toMatch(/negative/);
  });

  it('rejects duplicate columns, inverted ranges and a single-category column', () => {
    const issues = issuesOf({
      ...valid,
      data: {
        ...valid.data,
        columns: [
          { name: 'age', type: 'numeric', range: [120, 0] },
          { name: 'age', type: 'categorical', categories: ['x'] },
          { name: 'readmitted', type: 'categorical', categories: ['no', 'yes'] },
        ],
      },
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('data.columns[0].range');
    expect(paths).toContain('data.columns[1].categories');
    expect(issues.some((i) => /duplicate column "age"/.test(i.message))).toBe(true);
  });

  it('refuses fewer than two sites per round under secure aggregation (a sum of one reveals it)', () => {
    const issues = issuesOf({ ...valid, federation: { minSitesPerRound: 1 } });
    expect(issues).toContainEqual({ path: 'federation.minSitesPerRound', message: expect.stringMatching(/at least 2/) });
    expect(parseStudySpec({ ...valid, federation: { minSitesPerRound: 1 }, privacy: { secureAggregation: 'none' } }).federation.minSitesPerRound).toBe(1);
  });

  it('leaves differential privacy off unless asked, and fills δ = 1e-5 when it is', () => {
    expect(parseStudySpec(valid).privacy.differentialPrivacy).toBeUndefined();
    const spec = parseStudySpec({ ...valid, privacy: { differentialPrivacy: { epsilon: 3, clipNorm: 0.5 } } });
    expect(spec.privacy.differentialPrivacy).toEqual({ epsilon: 3, delta: 1e-5, clipNorm: 0.5 });
  });

  it('checks the differential-privacy settings and refuses them without secure aggregation', () => {
    const paths = (differentialPrivacy: unknown) => issuesOf({ ...valid, privacy: { differentialPrivacy } }).map((i) => i.path);
    expect(paths({ epsilon: 0, clipNorm: 1 })).toContain('privacy.differentialPrivacy.epsilon');
    expect(paths({ epsilon: 1, clipNorm: -1 })).toContain('privacy.differentialPrivacy.clipNorm');
    expect(paths({ epsilon: 1, clipNorm: 1, delta: 1 })).toContain('privacy.differentialPrivacy.delta');
    expect(paths({ epsilon: 1, clipNorm: 1, delta: 0 })).toContain('privacy.differentialPrivacy.delta');
    expect(paths({ clipNorm: 1 })).toContain('privacy.differentialPrivacy.epsilon');
    expect(paths({ epsilon: 1, clipNorm: 1, sigma: 2 })).toContain('privacy.differentialPrivacy');
    const plaintext = issuesOf({ ...valid, privacy: { secureAggregation: 'none', differentialPrivacy: { epsilon: 1, clipNorm: 1 } } });
    expect(plaintext).toContainEqual({ path: 'privacy.differentialPrivacy', message: expect.stringMatching(/needs secure aggregation/) });
  });
});
