import { describe, expect, it } from 'vitest';
import { numericValues, testDataset } from '../test/datasets.ts';
import { concatDatasets, selectRows } from './local-dataset.ts';

const a = testDataset({ age: [30, 40, 50], smoking: [0, 1, 2], sbp: [100, 110, 120], labels: [0, 1, 0] });
const b = testDataset({ age: [60], smoking: [1], sbp: [130], labels: [1] });

describe('selectRows', () => {
  it('picks rows in the given order across every column', () => {
    const picked = selectRows(a, [2, 0]);
    expect(picked.rowCount).toBe(2);
    expect(numericValues(picked, 'age')).toEqual([50, 30]);
    expect(picked.features[1]).toMatchObject({ type: 'categorical', indices: new Uint16Array([2, 0]) });
    expect([...picked.labels]).toEqual([0, 0]);
  });

  it('rejects an index outside the dataset', () => {
    expect(() => selectRows(a, [3])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('concatDatasets', () => {
  it('appends the rows of each dataset', () => {
    const pooled = concatDatasets([a, b]);
    expect(pooled.rowCount).toBe(4);
    expect(numericValues(pooled, 'sbp')).toEqual([100, 110, 120, 130]);
    expect([...pooled.labels]).toEqual([0, 1, 0, 1]);
  });

  it('rejects datasets with different columns, or none', () => {
    expect(() => concatDatasets([a, { ...b, features: b.features.slice(1) }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => concatDatasets([])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
