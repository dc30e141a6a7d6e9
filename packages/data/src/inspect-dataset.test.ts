import { DataSchema } from '@consilium/schemas';
import type { DataSchemaInput } from '@consilium/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../test/temp-files.ts';
import type { TempDir } from '../test/temp-files.ts';
import type { DataIssue } from './data-issues.ts';
import { inspectDataset } from './inspect-dataset.ts';
import type { InspectOptions } from './inspect-dataset.ts';

const SCHEMA_INPUT: DataSchemaInput = {
  columns: [
    { name: 'id', type: 'ignore' },
    { name: 'age', type: 'numeric', range: [18, 100], unit: 'years' },
    { name: 'sbp', type: 'numeric', range: [70, 250], missing: 'error' },
    { name: 'smoker', type: 'categorical', categories: ['no', 'yes'] },
    { name: 'grade', type: 'categorical', categories: ['1', '2', '3'] },
    { name: 'outcome', type: 'categorical', categories: ['0', '1'] },
  ],
  target: { column: 'outcome', positive: ['1'] },
};
const schema = DataSchema.parse(SCHEMA_INPUT);
const headerless = DataSchema.parse({ ...SCHEMA_INPUT, header: false });

const HEADER = 'id,age,sbp,smoker,grade,outcome';
const VALID_ROWS = ['p1,50,120,no,1,0', 'p2,61,135,yes,2,1', 'p3,45,118,no,1,0', 'p4,70,160,yes,3,1', 'p5,38,110,no,2,0', 'p6,66,150,yes,3,1'];

let dir: TempDir;
let fileCount = 0;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(() => dir.remove());

async function inspect(lines: string[], options: InspectOptions & { schema?: DataSchema } = {}) {
  const path = await dir.write(`file-${++fileCount}.csv`, lines.join('\n'));
  return inspectDataset(options.schema ?? schema, path, options);
}

/** The report's issues without their wording, to compare locations exactly. */
function located(issues: DataIssue[]) {
  return issues.map(({ severity, kind, line, column, field, value }) => ({ severity, kind, line, column, field, value }));
}

describe('inspectDataset on a valid file', () => {
  it('is ok and summarises rows, classes and columns', async () => {
    const report = await inspect([HEADER, ...VALID_ROWS]);
    expect(report).toMatchObject({
      ok: true,
      rowsRead: 6,
      rowsUsable: 6,
      rowsDropped: 0,
      rowsRejected: 0,
      classCounts: { positive: 3, negative: 3 },
      target: { column: 'outcome', positive: ['1'] },
      errorCount: 0,
      warningCount: 0,
      issues: [],
    });
    expect(report.columns).toEqual([
      { name: 'age', type: 'numeric', present: true, count: 6, min: 38, max: 70, mean: 55, missing: 0 },
      { name: 'sbp', type: 'numeric', present: true, count: 6, min: 110, max: 160, mean: expect.closeTo(132.1667, 3), missing: 0 },
      { name: 'smoker', type: 'categorical', present: true, counts: { no: 3, yes: 3 }, missing: 0 },
      { name: 'grade', type: 'categorical', present: true, counts: { '1': 2, '2': 2, '3': 2 }, missing: 0 },
      { name: 'outcome', type: 'categorical', present: true, counts: { '0': 3, '1': 3 }, missing: 0 },
    ]);
  });

  it('accepts header columns in any order, numerically equal categories and a headerless file', async () => {
    const reordered = await inspect(['outcome,grade,smoker,sbp,age,id', '0,1.0,no,120,50,p1', '1,2.00,yes,135,61,p2', ...VALID_ROWS.slice(2).map((r) => r.split(',').reverse().join(','))]);
    expect(reordered).toMatchObject({ ok: true, rowsUsable: 6 });
    expect(reordered.columns[3]).toMatchObject({ counts: { '1': 2, '2': 2, '3': 2 } });
    expect(await inspect(VALID_ROWS, { schema: headerless })).toMatchObject({ ok: true, rowsRead: 6, rowsUsable: 6 });
  });
});

describe('inspectDataset finds structural problems', () => {
  it('reports missing and undeclared columns on the header line', async () => {
    const report = await inspect(['id,Age,sbp,smoker,outcome,zip', 'p1,50,120,no,0,12345']);
    expect(report.ok).toBe(false);
    expect(located(report.issues)).toEqual([
      { severity: 'error', kind: 'extra_column', line: 1, column: 'Age', field: 2, value: undefined },
      { severity: 'error', kind: 'extra_column', line: 1, column: 'zip', field: 6, value: undefined },
      { severity: 'error', kind: 'missing_column', line: 1, column: 'age', field: undefined, value: undefined },
      { severity: 'error', kind: 'missing_column', line: 1, column: 'grade', field: undefined, value: undefined },
    ]);
    expect(report.issues[2]?.expected).toContain('"Age"');
    // Without every used column no row can be used; the missing columns say why.
    expect(report).toMatchObject({ rowsRead: 1, rowsUsable: 0, rowsRejected: 1, errorCount: 4 });
    expect(report.columns.find((c) => c.name === 'grade')?.present).toBe(false);
  });

  it('only warns about a missing ignored column', async () => {
    const report = await inspect(['age,sbp,smoker,grade,outcome', ...VALID_ROWS.map((r) => r.slice(r.indexOf(',') + 1))]);
    expect(report.ok).toBe(true);
    expect(located(report.issues)).toEqual([{ severity: 'warning', kind: 'missing_column', line: 1, column: 'id', field: undefined, value: undefined }]);
  });

  it('reports a column named twice', async () => {
    const report = await inspect(['id,age,sbp,smoker,grade,outcome,age', ...VALID_ROWS.map((r) => `${r},51`)]);
    expect(located(report.issues)).toEqual([{ severity: 'error', kind: 'duplicate_column', line: 1, column: 'age', field: 7, value: undefined }]);
  });

  it('reports lines with the wrong number of fields, with or without a header', async () => {
    const withHeader = await inspect([HEADER, 'p1,50,120,no,1', ...VALID_ROWS, 'p9,50,120,no,1,0,extra']);
    expect(located(withHeader.issues)).toEqual([
      { severity: 'error', kind: 'field_count', line: 2, column: undefined, field: undefined, value: undefined },
      { severity: 'error', kind: 'field_count', line: 9, column: undefined, field: undefined, value: undefined },
    ]);
    expect(withHeader.issues[0]).toMatchObject({ message: 'the line has 5 fields', expected: '6 (as many as the header)' });
    expect(withHeader).toMatchObject({ rowsRead: 8, rowsUsable: 6, rowsRejected: 2 });

    const withoutHeader = await inspect([...VALID_ROWS.slice(0, 3), '50,120,no,1,0', ...VALID_ROWS.slice(3)], { schema: headerless });
    expect(located(withoutHeader.issues)).toEqual([{ severity: 'error', kind: 'field_count', line: 4, column: undefined, field: undefined, value: undefined }]);
    expect(withoutHeader.issues[0]?.expected).toBe('6 (one per declared column)');
  });

  it('reports malformed CSV at its line and stops reading there', async () => {
    const report = await inspect([HEADER, VALID_ROWS[0] ?? '', 'p2,"61,135,yes,2,1', ...VALID_ROWS.slice(2)]);
    expect(report.ok).toBe(false);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]).toMatchObject({ kind: 'malformed_csv', severity: 'error' });
    expect(report.issues[0]?.line).toBeGreaterThanOrEqual(3);
  });
});

describe('inspectDataset finds bad values', () => {
  it('reports non-numeric, out-of-range and unknown-category cells with line, column, field and value', async () => {
    const report = await inspect([HEADER, 'p1,fifty,120,no,1,0', 'p2,61,300,yes,2,1', 'p3,45,118,maybe,1,0', 'p4,17,160,yes,4,1', ...VALID_ROWS]);
    expect(located(report.issues)).toEqual([
      { severity: 'error', kind: 'not_numeric', line: 2, column: 'age', field: 2, value: 'fifty' },
      { severity: 'error', kind: 'out_of_range', line: 3, column: 'sbp', field: 3, value: '300' },
      { severity: 'error', kind: 'unknown_category', line: 4, column: 'smoker', field: 4, value: 'maybe' },
      { severity: 'error', kind: 'out_of_range', line: 5, column: 'age', field: 2, value: '17' },
      { severity: 'error', kind: 'unknown_category', line: 5, column: 'grade', field: 5, value: '4' },
    ]);
    expect(report.issues[0]?.expected).toBe('a number in [18, 100] years');
    expect(report.issues[2]?.expected).toBe('one of "no", "yes"');
    expect(report).toMatchObject({ ok: false, rowsRead: 10, rowsUsable: 6, rowsRejected: 4, errorCount: 5 });
  });

  it('hints at a decimal comma when the delimiter is not a comma', async () => {
    const semicolon = DataSchema.parse({ ...SCHEMA_INPUT, delimiter: ';' });
    const report = await inspect([HEADER.replaceAll(',', ';'), 'p1;50,5;120;no;1;0'], { schema: semicolon });
    expect(report.issues[0]).toMatchObject({ kind: 'not_numeric', line: 2, column: 'age', value: '50,5' });
    expect(report.issues[0]?.message).toContain('decimal separator');
  });

  it('drops rows with missing values where allowed and counts them by column', async () => {
    const report = await inspect([HEADER, 'p1,,120,no,1,0', 'p2,NA,135,,2,1', 'p3,45,118,?,1,0', 'p4,70,160,yes,3,', ...VALID_ROWS]);
    expect(report).toMatchObject({ ok: true, rowsRead: 10, rowsUsable: 6, rowsDropped: 4, rowsRejected: 0, issues: [] });
    expect(report.droppedByReason).toEqual([
      { reason: 'missing_value', column: 'age', rows: 2 },
      { reason: 'missing_value', column: 'smoker', rows: 2 },
      { reason: 'missing_value', column: 'outcome', rows: 1 },
    ]);
    expect(report.columns[0]).toMatchObject({ name: 'age', missing: 2, count: 6 });
  });

  it('reports a missing value as an error where the policy is "error"', async () => {
    const report = await inspect([HEADER, ...VALID_ROWS, 'p7,50,NA,no,1,0', 'p8,50, ,no,1,0']);
    expect(located(report.issues)).toEqual([
      { severity: 'error', kind: 'missing_value', line: 8, column: 'sbp', field: 3, value: 'NA' },
      { severity: 'error', kind: 'missing_value', line: 9, column: 'sbp', field: 3, value: '' },
    ]);
    expect(report).toMatchObject({ ok: false, rowsRejected: 2, rowsDropped: 0 });
  });

  it('applies the schema-wide missing policy to columns without their own', async () => {
    const strict = DataSchema.parse({ ...SCHEMA_INPUT, missingPolicy: 'error' });
    const report = await inspect([HEADER, ...VALID_ROWS, 'p7,,120,no,1,0'], { schema: strict });
    expect(located(report.issues)).toEqual([{ severity: 'error', kind: 'missing_value', line: 8, column: 'age', field: 2, value: '' }]);
  });

  it('ignores whatever an ignored column holds', async () => {
    const report = await inspect([HEADER, ...VALID_ROWS.map((r) => r.replace(/^p\d/, '?'))]);
    expect(report).toMatchObject({ ok: true, rowsUsable: 6 });
  });
});

describe('inspectDataset checks the file as a whole', () => {
  it('reports an empty file and a file with only a header', async () => {
    const empty = await inspect(['']);
    expect(located(empty.issues)).toEqual([{ severity: 'error', kind: 'empty_file', line: undefined, column: undefined, field: undefined, value: undefined }]);
    expect(empty.issues[0]?.message).toBe('the file is empty');
    const headerOnly = await inspect([HEADER, '']);
    expect(headerOnly.issues.map((i) => [i.kind, i.message])).toEqual([['empty_file', 'the file has no data rows']]);
    expect(headerOnly.ok).toBe(false);
  });

  it('reports when no row is usable', async () => {
    const report = await inspect([HEADER, 'p1,,120,no,1,0', 'p2,61,135,,2,1']);
    expect(report.issues.map((i) => i.kind)).toEqual(['no_usable_rows']);
    expect(report.ok).toBe(false);
  });

  it('reports a target with one class after dropping rows', async () => {
    const report = await inspect([HEADER, 'p1,50,120,no,1,0', 'p2,,135,yes,2,1', 'p3,45,118,no,1,0', 'p4,52,121,no,1,0', 'p5,58,140,yes,1,0']);
    expect(report.issues.map((i) => [i.severity, i.kind, i.column])).toEqual([['error', 'single_class', 'outcome']]);
    expect(report.classCounts).toEqual({ positive: 0, negative: 4 });
  });

  it('warns when there are too few rows to split', async () => {
    const report = await inspect([HEADER, ...VALID_ROWS.slice(0, 3)]);
    expect(report).toMatchObject({ ok: true, warningCount: 1 });
    expect(report.issues.map((i) => [i.severity, i.kind])).toEqual([['warning', 'too_few_rows']]);
  });

  it('warns when a class would have no test row, unless nothing is held out', async () => {
    const rows = [HEADER, 'p1,50,120,no,1,1', ...Array.from({ length: 9 }, (_, i) => `n${i},${40 + i},120,no,1,0`)];
    const report = await inspect(rows, { testFraction: 0.34 });
    expect(report.ok).toBe(true);
    expect(report.issues.map((i) => [i.severity, i.kind])).toEqual([['warning', 'too_few_rows']]);
    expect(report.issues[0]?.message).toContain('only 1 usable positive');
    expect((await inspect(rows, { testFraction: 0 })).issues).toEqual([]);
  });
});

describe('inspectDataset on many problems', () => {
  it('lists the first maxIssues line-level issues and counts them all by kind and column', async () => {
    const bad = Array.from({ length: 30 }, (_, i) => `b${i},500,120,no,1,0`);
    const report = await inspect([HEADER, ...VALID_ROWS, ...bad, 'x1,50,120,no,9,0'], { maxIssues: 10 });
    expect(report.errorCount).toBe(31);
    expect(report.issues).toHaveLength(10);
    expect(report.issues[0]?.line).toBe(8);
    expect(report.issueSummary).toEqual([
      { severity: 'error', kind: 'out_of_range', column: 'age', count: 30 },
      { severity: 'error', kind: 'unknown_category', column: 'grade', count: 1 },
    ]);
  });

  it('rejects bad options', async () => {
    await expect(inspect([HEADER], { testFraction: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(inspect([HEADER], { maxIssues: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
