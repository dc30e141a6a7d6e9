import { parseStudySpec } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { featureDimension, featureNames } from '../feature-encoding.ts';
import { heartDiseaseSchema, heartDiseaseStudySpec } from './heart-disease-schema.ts';

describe('heartDiseaseSchema', () => {
  it("implements FLamby's preprocessing: 14 headerless columns, slope/ca/thal ignored, 13 features", () => {
    const schema = heartDiseaseSchema();
    expect(schema.header).toBe(false);
    expect(schema.columns.map((c) => c.name)).toEqual(['age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', 'oldpeak', 'slope', 'ca', 'thal', 'num']);
    expect(schema.columns.filter((c) => c.type === 'ignore').map((c) => c.name)).toEqual(['slope', 'ca', 'thal']);
    expect(schema.missingValues).toContain('?');
    expect(schema.missingPolicy).toBe('drop_row');
    expect(schema.target).toEqual({ column: 'num', positive: ['1', '2', '3', '4'] });
    expect(featureNames(schema)).toEqual(['age', 'sex', 'cp=2', 'cp=3', 'cp=4', 'trestbps', 'chol', 'fbs', 'restecg=1', 'restecg=2', 'thalach', 'exang', 'oldpeak']);
    expect(featureDimension(schema)).toBe(13);
  });
});

describe('heartDiseaseStudySpec', () => {
  it('is a valid logistic-regression study over the schema', () => {
    const spec = parseStudySpec(heartDiseaseStudySpec());
    expect(spec.model).toEqual({ type: 'logistic_regression' });
    expect(spec.data).toEqual(heartDiseaseSchema());
    expect(spec.training.testFraction).toBe(0.34);
  });
});
