import { describe, expect, it } from 'vitest';
import { numericValues, randomTestDataset, testDataset, testSchema } from '../test/datasets.ts';
import { globalStatistics, localStatistics, statisticsLayout } from './federated-statistics.ts';
import { concatDatasets } from './local-dataset.ts';

/** Mean and population standard deviation, computed directly. */
function moments(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

describe('statisticsLayout', () => {
  it('has a Σz, Σz² pair per numeric feature in schema order, then the row and positive counts', () => {
    expect(statisticsLayout(testSchema)).toEqual({
      length: 6,
      numeric: [
        { name: 'age', range: [18, 100], sumIndex: 0, sumOfSquaresIndex: 1 },
        { name: 'sbp', range: [70, 250], sumIndex: 2, sumOfSquaresIndex: 3 },
      ],
      countIndex: 4,
      positivesIndex: 5,
    });
  });
});

describe('localStatistics', () => {
  it('sums range-scaled values and their squares, and counts rows and positives', () => {
    const dataset = testDataset({ age: [18, 100, 59], smoking: [0, 1, 2], sbp: [70, 160, 250], labels: [1, 0, 1] });
    expect([...localStatistics(testSchema, dataset)]).toEqual([0 + 1 + 0.5, 0 + 1 + 0.25, 0 + 0.5 + 1, 0 + 0.25 + 1, 3, 2]);
  });

  it('keeps every entry within [0, rows]', () => {
    const dataset = randomTestDataset(500, 3);
    for (const entry of localStatistics(testSchema, dataset)) {
      expect(entry).toBeGreaterThanOrEqual(0);
      expect(entry).toBeLessThanOrEqual(500);
    }
  });
});

describe('globalStatistics', () => {
  it('turns the summed site vectors into exactly the pooled statistics', () => {
    const a = randomTestDataset(137, 1, 0.3);
    const b = randomTestDataset(411, 2, 0.6);
    const summed = localStatistics(testSchema, a).map((v, i) => v + (localStatistics(testSchema, b)[i] ?? 0));
    const stats = globalStatistics(testSchema, summed);

    const pooled = concatDatasets([a, b]);
    expect(stats.totalSamples).toBe(548);
    expect(stats.positives).toBe(pooled.labels.reduce((s, l) => s + l, 0));
    for (const name of ['age', 'sbp']) {
      const direct = moments(numericValues(pooled, name));
      expect(stats.numeric[name]!.mean).toBeCloseTo(direct.mean, 10);
      expect(stats.numeric[name]!.std).toBeCloseTo(direct.std, 10);
    }
    const fromPooled = globalStatistics(testSchema, localStatistics(testSchema, pooled));
    expect(stats.numeric['age']!.mean).toBeCloseTo(fromPooled.numeric['age']!.mean, 12);
    expect(stats.numeric['sbp']!.std).toBeCloseTo(fromPooled.numeric['sbp']!.std, 12);
  });

  it('rounds counts that come back with encryption noise', () => {
    const summed = localStatistics(testSchema, randomTestDataset(40, 4));
    summed[4] = 40.0003;
    summed[5] = 15.9998;
    expect(globalStatistics(testSchema, summed)).toMatchObject({ totalSamples: 40, positives: 16 });
  });

  it('gives a constant column std 1 (not 0, which would divide by zero)', () => {
    const dataset = testDataset({ age: [50, 50, 50], smoking: [0, 0, 0], sbp: [100, 120, 140], labels: [0, 1, 0] });
    const stats = globalStatistics(testSchema, localStatistics(testSchema, dataset));
    expect(stats.numeric['age']!.mean).toBeCloseTo(50, 12);
    expect(stats.numeric['age']!.std).toBe(1);
    expect(stats.numeric['sbp']!.std).toBeCloseTo(Math.sqrt(800 / 3), 10);
  });

  it('reports zero rows without moments, for the caller to fail the round', () => {
    const summed = new Float64Array(6);
    summed[4] = -0.0002;
    expect(globalStatistics(testSchema, summed)).toEqual({ totalSamples: 0, positives: 0, numeric: {} });
  });

  it('rejects a vector of the wrong length', () => {
    expect(() => globalStatistics(testSchema, new Float64Array(5))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
