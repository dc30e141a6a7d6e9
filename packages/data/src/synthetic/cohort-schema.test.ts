import { parseStudySpec } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { featureDimension, featureNames } from '../feature-encoding.ts';
import { syntheticCohortSchema, syntheticStudySpec } from './cohort-schema.ts';

describe('syntheticCohortSchema', () => {
  it('describes a cardiovascular cohort with a binary 1-year MACE target', () => {
    const schema = syntheticCohortSchema();
    expect(schema.header).toBe(true);
    expect(schema.target).toEqual({ column: 'mace_1y', positive: ['yes'] });
    expect(featureNames(schema)).toEqual([
      'age',
      'sex=male',
      'bmi',
      'systolic_bp',
      'ldl_cholesterol',
      'hba1c',
      'egfr',
      'smoking=former',
      'smoking=current',
      'diabetes=yes',
      'chest_pain=atypical_angina',
      'chest_pain=typical_angina',
      'chest_pain=asymptomatic',
      'resting_ecg=st_t_abnormality',
      'resting_ecg=lvh',
    ]);
    expect(featureDimension(schema)).toBe(15);
  });
});

describe('syntheticStudySpec', () => {
  it('is a valid study: logistic regression under secure aggregation', () => {
    const spec = parseStudySpec(syntheticStudySpec());
    expect(spec.model).toEqual({ type: 'logistic_regression' });
    expect(spec.privacy.secureAggregation).toBe('ckks-multiparty');
    expect(spec.preprocessing.standardize).toBe('federated');
    expect(spec.training.rounds).toBeGreaterThanOrEqual(10);
    expect(spec.data).toEqual(syntheticCohortSchema());
  });
});
