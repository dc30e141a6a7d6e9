import { isAppError } from '@consilium/errors';
import { DataSchema } from '@consilium/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../test/temp-files.ts';
import type { TempDir } from '../test/temp-files.ts';
import { loadDataset } from './load-dataset.ts';

const schema = DataSchema.parse({
  columns: [
    { name: 'id', type: 'ignore' },
    { name: 'age', type: 'numeric', range: [18, 100] },
    { name: 'smoking', type: 'categorical', categories: ['never', 'former', 'current'] },
    { name: 'bmi', type: 'numeric', range: [12, 70] },
    { name: 'event', type: 'categorical', categories: ['none', 'mi', 'death'] },
  ],
  target: { column: 'event', positive: ['mi', 'death'] },
});

let dir: TempDir;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(() => dir.remove());

describe('loadDataset', () => {
  it('returns the usable rows as typed feature columns and 0/1 labels', async () => {
    const path = await dir.write('ok.csv', 'event,bmi,id,smoking,age\r\nnone,24.5,a,never,40\r\nmi,31,b,current,71\r\ndeath,,c,former,80\r\nnone,22,d,former,35.5\r\n');
    const dataset = await loadDataset(schema, path);
    expect(dataset.rowCount).toBe(3);
    expect(dataset.features).toEqual([
      { name: 'age', type: 'numeric', values: new Float64Array([40, 71, 35.5]) },
      { name: 'smoking', type: 'categorical', categories: ['never', 'former', 'current'], indices: new Uint16Array([0, 2, 1]) },
      { name: 'bmi', type: 'numeric', values: new Float64Array([24.5, 31, 22]) },
    ]);
    expect(dataset.labels).toEqual(new Uint8Array([0, 1, 0]));
  });

  it('throws one INVALID_DATA error naming the file, lines and columns of the first problems', async () => {
    const rows = ['id,age,smoking,bmi,event', 'a,40,never,24,none', 'a2,60,current,28,mi', 'b,abc,never,24,mi', 'c,40,sometimes,24,none', ...Array.from({ length: 8 }, (_, i) => `x${i},140,never,24,none`)];
    const path = await dir.write('bad.csv', rows.join('\n'));
    const error: unknown = await loadDataset(schema, path).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('INVALID_DATA');
    if (!isAppError(error)) return;
    expect(error.message).toContain(path);
    expect(error.message).toContain('10 errors');
    expect(error.message).toContain('line 4, column "age" (field 2): "abc" is not a number (expected a number in [18, 100])');
    expect(error.message).toContain('line 5, column "smoking" (field 3): "sometimes" is not a category');
    expect(error.message).toContain('and 5 more');
    expect(error.details).toMatchObject({ file: path, errorCount: 10 });
    expect(error.details?.['issues']).toHaveLength(10);
  });

  it('does not fail on warnings', async () => {
    const path = await dir.write('tiny.csv', 'id,age,smoking,bmi,event\na,40,never,24,none\nb,60,current,30,mi\n');
    await expect(loadDataset(schema, path)).resolves.toMatchObject({ rowCount: 2 });
  });
});
