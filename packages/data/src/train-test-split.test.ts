import { describe, expect, it } from 'vitest';
import { numericValues, randomTestDataset } from '../test/datasets.ts';
import { splitTrainTest, testRowsForClass } from './train-test-split.ts';

const positives = (labels: Uint8Array) => labels.reduce((sum, l) => sum + l, 0);

describe('testRowsForClass', () => {
  it('rounds the fraction but keeps at least one row on each side of a class of two or more', () => {
    expect(testRowsForClass(100, 0.34)).toBe(34);
    expect(testRowsForClass(3, 0.34)).toBe(1);
    expect(testRowsForClass(2, 0.1)).toBe(1);
    expect(testRowsForClass(2, 0.9)).toBe(1);
    expect(testRowsForClass(1, 0.5)).toBe(0);
    expect(testRowsForClass(50, 0)).toBe(0);
  });
});

describe('splitTrainTest', () => {
  const dataset = randomTestDataset(200, 5, 0.3);

  it('is deterministic for a seed and differs between seeds', () => {
    const ages = (seed: number) => numericValues(splitTrainTest(dataset, { testFraction: 0.34, seed }).test, 'age');
    expect(ages(1)).toEqual(ages(1));
    expect(ages(1)).not.toEqual(ages(2));
  });

  it('stratifies: each class is split by the fraction', () => {
    const total = positives(dataset.labels);
    const { train, test } = splitTrainTest(dataset, { testFraction: 0.34, seed: 42 });
    expect(positives(test.labels)).toBe(Math.round(total * 0.34));
    expect(test.rowCount - positives(test.labels)).toBe(Math.round((200 - total) * 0.34));
    expect(train.rowCount + test.rowCount).toBe(200);
    expect(positives(train.labels) + positives(test.labels)).toBe(total);
  });

  it('puts every row on exactly one side, keeping the rows intact and in file order', () => {
    const { train, test } = splitTrainTest(dataset, { testFraction: 0.25, seed: 9 });
    const keys = (d: typeof dataset) => {
      const [age, sbp] = [numericValues(d, 'age'), numericValues(d, 'sbp')];
      return Array.from({ length: d.rowCount }, (_, i) => `${age[i]}|${sbp[i]}|${d.labels[i]}`);
    };
    const all = keys(dataset);
    const sides = [train, test].map(keys);
    expect([...sides[0]!, ...sides[1]!].sort()).toEqual([...all].sort());
    for (const side of sides) expect(side).toEqual(all.filter((k) => side.includes(k)));
  });

  it('holds nothing out with a test fraction of 0', () => {
    const { train, test } = splitTrainTest(dataset, { testFraction: 0, seed: 1 });
    expect([train.rowCount, test.rowCount]).toEqual([200, 0]);
  });

  it('rejects a bad fraction or seed', () => {
    expect(() => splitTrainTest(dataset, { testFraction: 1, seed: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => splitTrainTest(dataset, { testFraction: -0.1, seed: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => splitTrainTest(dataset, { testFraction: 0.3, seed: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
