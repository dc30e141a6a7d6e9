import type { DataSchema } from '@consilium/schemas';
import type { CsvRecord } from './csv-reader.ts';
import type { IssueCollector } from './data-issues.ts';

/** Where each declared column sits in the file's records. */
export interface FileColumns {
  /** 0-based field index of each column of `schema.columns` (same order); -1 when absent. */
  fieldIndex: number[];
  /** How many fields every data line must have. */
  fieldCount: number;
  /** What to tell someone whose line has another number of fields. */
  fieldCountSource: string;
  /** False when a used (not ignored) column is absent, so no row can be used. */
  complete: boolean;
}

/** Without a header, the columns are the declared ones, in declared order. */
export function columnsWithoutHeader(schema: DataSchema): FileColumns {
  return {
    fieldIndex: schema.columns.map((_, i) => i),
    fieldCount: schema.columns.length,
    fieldCountSource: 'one per declared column',
    complete: true,
  };
}

/**
 * Matches a header line to the declared columns (in any order), reporting duplicate, undeclared
 * and missing columns. A missing ignored column is only a warning: nothing would read it anyway.
 */
export function columnsFromHeader(schema: DataSchema, header: CsvRecord, issues: IssueCollector): FileColumns {
  const declared = new Set(schema.columns.map((c) => c.name));
  const firstField = new Map<string, number>();
  header.fields.forEach((name, index) => {
    const field = index + 1;
    const earlier = firstField.get(name);
    if (earlier !== undefined) {
      issues.add({
        severity: 'error',
        kind: 'duplicate_column',
        message: `named twice in the header (fields ${earlier + 1} and ${field})`,
        line: header.line,
        column: name,
        field,
        expected: 'each column once',
      });
      return;
    }
    firstField.set(name, index);
    if (!declared.has(name))
      issues.add({
        severity: 'error',
        kind: 'extra_column',
        message: name === '' ? 'the header has an unnamed column' : "not declared in the study's data schema",
        line: header.line,
        ...(name === '' ? {} : { column: name }),
        field,
        expected: 'only declared columns; remove it, or ask the study owner to declare it with type "ignore"',
      });
  });

  let complete = true;
  const fieldIndex = schema.columns.map((column) => {
    const index = firstField.get(column.name);
    if (index !== undefined) return index;
    if (column.type !== 'ignore') complete = false;
    const lookalike = header.fields.find((name) => name.toLowerCase() === column.name.toLowerCase());
    issues.add({
      severity: column.type === 'ignore' ? 'warning' : 'error',
      kind: 'missing_column',
      message: `not in the header${column.type === 'ignore' ? ' (the study ignores this column, so it does not matter)' : ''}`,
      line: header.line,
      column: column.name,
      expected: lookalike === undefined ? `a header column named "${column.name}"` : `"${column.name}" where the header has "${lookalike}" (names are case-sensitive)`,
    });
    return -1;
  });

  return { fieldIndex, fieldCount: header.fields.length, fieldCountSource: 'as many as the header', complete };
}
