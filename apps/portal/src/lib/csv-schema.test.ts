import { describe, expect, it } from 'vitest';
import { detectDelimiter, distinctValues, draftColumnToSpec, inferColumn, inferColumns, isIdLikeName, parseCsv, readCsvSample, retypeColumn, splitCategories, suggestPositive, suggestRange, suggestTarget } from './csv-schema.ts';

describe('readCsvSample', () => {
  it('reads the header and rows, trimming cells', () => {
    const result = readCsvSample('\uFEFFage, sex ,target\r\n63,1,1\r\n41, 0 ,0\r\n');
    expect(result).toEqual({ ok: true, sample: { header: ['age', 'sex', 'target'], rows: [['63', '1', '1'], ['41', '0', '0']], delimiter: ',', truncated: false } });
  });

  it('accepts a header line alone', () => {
    const result = readCsvSample('age;sex;target');
    expect(result.ok && result.sample).toEqual({ header: ['age', 'sex', 'target'], rows: [], delimiter: ';', truncated: false });
  });

  it('stops after maxRows and says so', () => {
    const result = readCsvSample('a,b\n1,2\n3,4\n5,6\n', 2);
    expect(result.ok && result.sample.rows).toEqual([['1', '2'], ['3', '4']]);
    expect(result.ok && result.sample.truncated).toBe(true);
  });

  it('explains an empty file, a missing or repeated column name', () => {
    expect(readCsvSample('  \n')).toMatchObject({ ok: false, error: expect.stringContaining('empty') as unknown });
    expect(readCsvSample('age,,target')).toMatchObject({ ok: false, error: expect.stringContaining('Column 2') as unknown });
    expect(readCsvSample('age,age,target')).toMatchObject({ ok: false, error: expect.stringContaining('"age" appears twice') as unknown });
    expect(readCsvSample('only')).toMatchObject({ ok: false });
  });
});

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, delimiters and line breaks inside quotes, and blank lines', () => {
    expect(parseCsv('a,"b,c","say ""hi""\nthere"\n\nx,,z', ',').records).toEqual([
      ['a', 'b,c', 'say "hi"\nthere'],
      ['x', '', 'z'],
    ]);
  });

  it('detects the delimiter from the first line', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"a;b",c')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('inferColumn', () => {
  it('excludes identifier-like columns by name', () => {
    expect(inferColumn('patient_id', ['1', '2']).type).toBe('ignore');
    expect(inferColumn('MRN', ['a']).type).toBe('ignore');
    expect(inferColumn('recordId', []).type).toBe('ignore');
    expect(isIdLikeName('acid')).toBe(false);
    expect(isIdLikeName('fluid')).toBe(false);
  });

  it('proposes a numeric column with a tidy range around the sample', () => {
    const column = inferColumn('age', ['29', '77', '54', 'NA', '61']);
    expect(column.type).toBe('numeric');
    expect(Number(column.min)).toBeLessThanOrEqual(29);
    expect(Number(column.max)).toBeGreaterThanOrEqual(77);
    expect(Number(column.min)).toBeGreaterThanOrEqual(0);
  });

  it('treats two-valued columns and text as categories', () => {
    expect(inferColumn('sex', ['1', '0', '1'])).toMatchObject({ type: 'categorical', categories: '0, 1' });
    expect(inferColumn('smoker', ['yes', 'no', 'no', 'yes', 'former'])).toMatchObject({ type: 'categorical', categories: 'former, no, yes' });
  });

  it('excludes running numbers and all-different text', () => {
    const running = Array.from({ length: 30 }, (_, i) => String(i + 100));
    expect(inferColumn('row', running).type).toBe('ignore');
    const names = Array.from({ length: 12 }, (_, i) => `person ${i}`);
    expect(inferColumn('name', names).type).toBe('ignore');
  });

  it('asks for the type and range when there are no rows', () => {
    expect(inferColumn('age', [])).toMatchObject({ type: 'numeric', min: '', max: '' });
  });
});

describe('suggestions', () => {
  it('proposes the label column and its positive class', () => {
    const columns = inferColumns({ header: ['id', 'age', 'sex', 'outcome'], rows: [['1', '50', 'f', 'died'], ['2', '61', 'm', 'alive'], ['3', '70', 'f', 'alive']], delimiter: ',', truncated: false });
    expect(columns.map((c) => c.type)).toEqual(['ignore', 'numeric', 'categorical', 'categorical']);
    expect(suggestTarget(columns)).toBe('outcome');
    expect(suggestPositive(['alive', 'died'])).toBe('died');
    expect(suggestPositive(['a', 'b'])).toBe('b');
    expect(suggestTarget([])).toBeNull();
  });

  it('rounds ranges outward', () => {
    expect(suggestRange(29, 77)).toEqual([26, 80]);
    expect(suggestRange(0.1, 0.9)).toEqual([0.06, 0.94]);
    expect(suggestRange(5, 5)).toEqual([4, 6]);
    expect(suggestRange(-3, 3)[0]).toBeLessThan(-3);
  });
});

describe('draftColumnToSpec', () => {
  const base = { name: ' age ', type: 'numeric' as const, min: '0', max: '120', categories: '', unit: 'years', note: '' };
  it('builds the schema column', () => {
    expect(draftColumnToSpec(base)).toEqual({ name: 'age', type: 'numeric', range: [0, 120], unit: 'years' });
    expect(draftColumnToSpec({ ...base, type: 'categorical', categories: 'a, b,,c ' })).toEqual({ name: 'age', type: 'categorical', categories: ['a', 'b', 'c'] });
    expect(draftColumnToSpec({ ...base, type: 'ignore' })).toEqual({ name: 'age', type: 'ignore' });
  });
  it('leaves an unfilled bound as NaN for the schema to report', () => {
    const spec = draftColumnToSpec({ ...base, min: '', unit: '' });
    expect(spec.range).toEqual([Number.NaN, 120]);
    expect(spec).not.toHaveProperty('unit');
    expect(splitCategories(' x ,y')).toEqual(['x', 'y']);
  });
});

describe('retypeColumn', () => {
  it('fills categories or a range from the sample when empty', () => {
    const base = inferColumn('grade', ['1', '2', '3', '2']);
    expect(base.type).toBe('numeric');
    expect(retypeColumn(base, 'categorical', ['1', '2', '3', '2', 'NA'])).toMatchObject({ type: 'categorical', categories: '1, 2, 3', note: '' });
    const cat = inferColumn('sex', ['0', '1']);
    expect(retypeColumn(cat, 'numeric', ['0', '1'])).toMatchObject({ type: 'numeric', min: '0', max: '1.1' });
    expect(retypeColumn({ ...cat, categories: 'a, b' }, 'categorical', ['x']).categories).toBe('a, b');
  });
});

describe('distinctValues', () => {
  it('keeps a few values per column and the numeric extremes', () => {
    const sample = { header: ['a', 'b'], rows: [['1', 'x'], ['5', 'y'], ['3', 'x'], ['9', 'z']], delimiter: ',', truncated: false };
    expect(distinctValues(sample, 2)).toEqual([['1', '5', '9'], ['x', 'y']]);
  });
});
