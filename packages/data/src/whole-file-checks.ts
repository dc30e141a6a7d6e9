import type { DataSchema } from '@consilium/schemas';
import type { IssueCollector } from './data-issues.ts';
import type { FileColumns } from './file-columns.ts';
import { testRowsForClass } from './train-test-split.ts';

// Below this, a split leaves too little on one side to train or evaluate anything.
const MIN_SPLITTABLE_ROWS = 4;

/**
 * Findings about the file as a whole, once every row has been read: no data at all, no usable row,
 * a single class among the usable rows (errors), too few rows for a stratified split (warnings).
 * `columns` is null when not even a header line was found.
 */
export function checkWholeFile(input: {
  issues: IssueCollector;
  columns: FileColumns | null;
  rowsRead: number;
  rowsUsable: number;
  classCounts: { positive: number; negative: number };
  schema: DataSchema;
  testFraction: number;
}): void {
  const { issues, columns, rowsRead, rowsUsable, classCounts, schema, testFraction } = input;
  if (columns === null) {
    issues.add({ severity: 'error', kind: 'empty_file', message: 'the file is empty', expected: 'a header line and data rows' });
    return;
  }
  if (rowsRead === 0) {
    issues.add({ severity: 'error', kind: 'empty_file', message: 'the file has no data rows', expected: 'at least one data row' });
    return;
  }
  // A missing required column has been reported already, and explains why no row is usable.
  if (!columns.complete) return;
  if (rowsUsable === 0) {
    issues.add({
      severity: 'error',
      kind: 'no_usable_rows',
      message: `none of the ${rowsRead} data rows is usable (see the dropped rows and errors)`,
      expected: 'at least one row with valid values in every used column',
    });
    return;
  }
  const positiveLabel = `positive (${schema.target.column} = ${schema.target.positive.join(' or ')})`;
  if (classCounts.positive === 0 || classCounts.negative === 0) {
    const only = classCounts.positive === 0 ? 'negative' : positiveLabel;
    issues.add({
      severity: 'error',
      kind: 'single_class',
      column: schema.target.column,
      message: `every usable row is ${only}, so there is nothing to learn`,
      expected: 'usable rows of both classes',
    });
    return;
  }
  if (rowsUsable < MIN_SPLITTABLE_ROWS) {
    issues.add({
      severity: 'warning',
      kind: 'too_few_rows',
      message: `only ${rowsUsable} usable rows`,
      expected: `at least ${MIN_SPLITTABLE_ROWS} for a train/test split`,
    });
    return;
  }
  if (testFraction <= 0) return;
  for (const [name, size] of [
    ['negative', classCounts.negative],
    [positiveLabel, classCounts.positive],
  ] as const) {
    if (testRowsForClass(size, testFraction) === 0)
      issues.add({
        severity: 'warning',
        kind: 'too_few_rows',
        column: schema.target.column,
        message: `only ${size} usable ${name} row${size === 1 ? '' : 's'}: the test set will have none`,
        expected: `at least 2 rows of each class with a test fraction of ${testFraction}`,
      });
  }
}
