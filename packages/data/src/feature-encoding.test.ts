import { DataSchema } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { testDataset, testSchema } from '../test/datasets.ts';
import { encodeFeatures, featureDimension, featureNames } from './feature-encoding.ts';

const dropFirst = DataSchema.parse({ ...testSchema, categoricalEncoding: 'one_hot_drop_first' });
const dataset = testDataset({ age: [40, 60], smoking: [2, 0], sbp: [120, 150], labels: [1, 0] });

describe('featureNames and featureDimension', () => {
  it('list numeric features by name and one indicator per encoded category, without target or ignored columns', () => {
    expect(featureNames(testSchema)).toEqual(['age', 'smoking=never', 'smoking=former', 'smoking=current', 'sbp']);
    expect(featureDimension(testSchema)).toBe(5);
    expect(featureNames(dropFirst)).toEqual(['age', 'smoking=former', 'smoking=current', 'sbp']);
    expect(featureDimension(dropFirst)).toBe(4);
  });
});

describe('encodeFeatures', () => {
  it('writes raw numeric values and one-hot indicators, row-major', () => {
    const encoded = encodeFeatures(testSchema, dataset, null);
    expect(encoded).toMatchObject({ n: 2, d: 5, featureNames: featureNames(testSchema) });
    expect([...encoded.x]).toEqual([40, 0, 0, 1, 120, 60, 1, 0, 0, 150]);
    expect([...encoded.y]).toEqual([1, 0]);
  });

  it('leaves the reference category all zeros with drop-first encoding', () => {
    expect([...encodeFeatures(dropFirst, dataset, null).x]).toEqual([40, 0, 1, 120, 60, 0, 0, 150]);
  });

  it('standardises numeric features with the global mean and std, and only them', () => {
    const stats = { totalSamples: 2, positives: 1, numeric: { age: { mean: 50, std: 10 }, sbp: { mean: 130, std: 20 } } };
    expect([...encodeFeatures(testSchema, dataset, stats).x]).toEqual([-1, 0, 0, 1, -0.5, 1, 1, 0, 0, 1]);
  });

  it('rejects statistics without a numeric feature and a dataset of another schema', () => {
    const partial = { totalSamples: 2, positives: 1, numeric: { age: { mean: 50, std: 10 } } };
    expect(() => encodeFeatures(testSchema, dataset, partial)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const other = { ...dataset, features: dataset.features.slice(0, 2) };
    expect(() => encodeFeatures(testSchema, other, null)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
