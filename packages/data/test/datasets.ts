import { DataSchema } from '@consilium/schemas';
import type { LocalDataset } from '../src/local-dataset.ts';
import { createRng, randomInt } from '@consilium/random';

/** A small schema with every column kind: two numeric features, a categorical one, an ignored id, a target. */
export const testSchema = DataSchema.parse({
  columns: [
    { name: 'id', type: 'ignore' },
    { name: 'age', type: 'numeric', range: [18, 100] },
    { name: 'smoking', type: 'categorical', categories: ['never', 'former', 'current'] },
    { name: 'sbp', type: 'numeric', range: [70, 250] },
    { name: 'event', type: 'categorical', categories: ['no', 'yes'] },
  ],
  target: { column: 'event', positive: ['yes'] },
});

/** A dataset of `testSchema` with the given columns. */
export function testDataset(columns: { age: number[]; smoking: number[]; sbp: number[]; labels: number[] }): LocalDataset {
  return {
    rowCount: columns.labels.length,
    features: [
      { name: 'age', type: 'numeric', values: Float64Array.from(columns.age) },
      { name: 'smoking', type: 'categorical', categories: ['never', 'former', 'current'], indices: Uint16Array.from(columns.smoking) },
      { name: 'sbp', type: 'numeric', values: Float64Array.from(columns.sbp) },
    ],
    labels: Uint8Array.from(columns.labels),
  };
}

/** `rows` random rows of `testSchema` (within the declared ranges), a fraction `positiveRate` labelled 1. */
export function randomTestDataset(rows: number, seed: number, positiveRate = 0.4): LocalDataset {
  const random = createRng(seed);
  const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
  return testDataset({
    age: draw(rows, () => Math.round(18 + 82 * random())),
    smoking: draw(rows, () => randomInt(random, 3)),
    sbp: draw(rows, () => 90 + 100 * random()),
    labels: draw(rows, () => (random() < positiveRate ? 1 : 0)),
  });
}

/** The values of a numeric feature of `dataset`, as a plain array. */
export function numericValues(dataset: LocalDataset, name: string): number[] {
  const feature = dataset.features.find((f) => f.name === name);
  if (feature?.type !== 'numeric') throw new Error(`no numeric feature "${name}"`);
  return [...feature.values];
}
