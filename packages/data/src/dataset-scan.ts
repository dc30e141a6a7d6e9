import { AppError, ErrorCode, isAppError } from '@consilium/errors';
import { featureColumns } from '@consilium/schemas';
import type { DataSchema } from '@consilium/schemas';
import { createColumnRule } from './column-rules.ts';
import type { ColumnRule } from './column-rules.ts';
import { createColumnSummaryBuilder } from './column-summary.ts';
import type { ColumnSummaryBuilder } from './column-summary.ts';
import { readCsvRecords } from './csv-reader.ts';
import type { CsvRecord } from './csv-reader.ts';
import { IssueCollector } from './data-issues.ts';
import type { DoctorReport, DropReason } from './doctor-report.ts';
import { columnsFromHeader, columnsWithoutHeader } from './file-columns.ts';
import type { FileColumns } from './file-columns.ts';
import type { FeatureValues, LocalDataset } from './local-dataset.ts';
import { checkWholeFile } from './whole-file-checks.ts';

/** How to scan a file. */
export interface ScanOptions {
  /** How many line-level findings the report lists (all are counted). */
  maxIssues: number;
  /** The study's test fraction, to warn when a split would leave a class out of the test set. */
  testFraction: number;
  /** Keep the usable rows (the loader) or only summarise them (the doctor, on a file of any size). */
  keepRows: boolean;
}

/** A file's report, and its usable rows (empty unless `keepRows`). */
export interface ScanResult {
  report: DoctorReport;
  dataset: LocalDataset;
}

/**
 * Reads `path` once, streaming, checking every cell of every used column against `schema`, and
 * keeps the usable rows in typed arrays. Both the doctor and the loader are this one pass, so they
 * can never disagree about a file.
 */
export async function scanDataset(schema: DataSchema, path: string, options: ScanOptions): Promise<ScanResult> {
  const target = resolveTarget(schema);
  const issues = new IssueCollector(options.maxIssues);
  const rules: Array<ColumnRule | null> = schema.columns.map((c) => (c.type === 'ignore' ? null : createColumnRule(schema, c)));
  const summaries: Array<ColumnSummaryBuilder | null> = rules.map((r) => (r === null ? null : createColumnSummaryBuilder(r.column)));
  const features = featureColumns(schema).map((column) => ({ column, index: schema.columns.indexOf(column), values: [] as number[] }));
  const labels: number[] = [];
  const dropCounts = new Array<number>(schema.columns.length).fill(0);
  const cells = new Float64Array(schema.columns.length);
  const missingColumns: number[] = [];

  let columns: FileColumns | null = schema.header ? null : columnsWithoutHeader(schema);
  let rowsRead = 0;
  let rowsDropped = 0;
  let rowsRejected = 0;
  let finished = true;
  const classCounts = { positive: 0, negative: 0 };

  const checkRow = (record: CsvRecord, fileColumns: FileColumns): void => {
    rowsRead++;
    if (record.fields.length !== fileColumns.fieldCount) {
      issues.add({
        severity: 'error',
        kind: 'field_count',
        message: `the line has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}`,
        line: record.line,
        expected: `${fileColumns.fieldCount} (${fileColumns.fieldCountSource})`,
      });
      rowsRejected++;
      return;
    }
    let hasError = false;
    missingColumns.length = 0;
    rules.forEach((rule, i) => {
      const fieldIndex = fileColumns.fieldIndex[i] ?? -1;
      if (rule === null || fieldIndex < 0) return;
      const cell = record.fields[fieldIndex] ?? '';
      const outcome = rule.read(cell);
      const where = { line: record.line, column: rule.column.name, field: fieldIndex + 1, value: cell };
      if (outcome.status === 'value') {
        cells[i] = outcome.value;
      } else if (outcome.status === 'missing') {
        summaries[i]?.addMissing();
        if (rule.missingPolicy === 'drop_row') {
          missingColumns.push(i);
        } else {
          hasError = true;
          issues.add({
            severity: 'error',
            kind: 'missing_value',
            message: cell === '' ? 'the value is missing' : `the value is missing ("${cell}")`,
            expected: 'a value: the study does not allow missing values in this column',
            ...where,
          });
        }
      } else {
        hasError = true;
        issues.add({ severity: 'error', kind: outcome.kind, message: outcome.message, expected: outcome.expected, ...where });
      }
    });
    if (hasError || !fileColumns.complete) {
      rowsRejected++;
    } else if (missingColumns.length > 0) {
      rowsDropped++;
      for (const i of missingColumns) dropCounts[i] = (dropCounts[i] ?? 0) + 1;
    } else {
      rules.forEach((rule, i) => {
        if (rule !== null) summaries[i]?.addValue(cells[i] as number);
      });
      const label = target.positive.has(cells[target.index] as number) ? 1 : 0;
      if (label === 1) classCounts.positive++;
      else classCounts.negative++;
      if (!options.keepRows) return;
      for (const feature of features) feature.values.push(cells[feature.index] as number);
      labels.push(label);
    }
  };

  try {
    for await (const record of readCsvRecords(path, { delimiter: schema.delimiter })) {
      if (columns === null) columns = columnsFromHeader(schema, record, issues);
      else checkRow(record, columns);
    }
  } catch (error) {
    if (!isAppError(error) || error.code !== ErrorCode.INVALID_DATA) throw error;
    const line = error.details?.['line'];
    const reason = error.details?.['reason'];
    issues.add({
      severity: 'error',
      kind: 'malformed_csv',
      message: `malformed CSV, reading stopped here: ${typeof reason === 'string' ? reason : error.message}`,
      ...(typeof line === 'number' ? { line } : {}),
      expected: 'well-formed CSV (a quoted value must start and end with a double quote)',
    });
    finished = false;
  }

  const rowsUsable = classCounts.positive + classCounts.negative;
  // A file read only in part says nothing reliable about its row or class counts.
  if (finished) checkWholeFile({ issues, columns, rowsRead, rowsUsable, classCounts, schema, testFraction: options.testFraction });

  const droppedByReason: DropReason[] = schema.columns
    .map((c, i) => ({ reason: 'missing_value' as const, column: c.name, rows: dropCounts[i] ?? 0 }))
    .filter((d) => d.rows > 0)
    .sort((a, b) => b.rows - a.rows);
  const report: DoctorReport = {
    file: path,
    ok: issues.errorCount === 0,
    rowsRead,
    rowsUsable,
    rowsDropped,
    rowsRejected,
    droppedByReason,
    classCounts,
    target: { column: schema.target.column, positive: [...schema.target.positive] },
    columns: summaries.flatMap((s, i) => (s === null ? [] : [s.build((columns?.fieldIndex[i] ?? -1) >= 0)])),
    errorCount: issues.errorCount,
    warningCount: issues.warningCount,
    issues: issues.listed,
    issueSummary: issues.summary(),
  };
  const featureValues: FeatureValues[] = features.map(({ column, values }) =>
    column.type === 'categorical'
      ? { name: column.name, type: 'categorical', categories: [...column.categories], indices: Uint16Array.from(values) }
      : { name: column.name, type: 'numeric', values: Float64Array.from(values) },
  );
  return { report, dataset: { rowCount: labels.length, features: featureValues, labels: Uint8Array.from(labels) } };
}

/** The target column's position and the indices of its positive categories. */
function resolveTarget(schema: DataSchema): { index: number; positive: Set<number> } {
  const index = schema.columns.findIndex((c) => c.name === schema.target.column);
  const column = schema.columns[index];
  if (column?.type !== 'categorical')
    throw new AppError(ErrorCode.INVALID_INPUT, `the schema's target "${schema.target.column}" is not a categorical column`);
  const categories = column.categories;
  const positive = new Set(schema.target.positive.map((p) => categories.indexOf(p)));
  if (positive.has(-1) || positive.size === 0 || positive.size >= categories.length)
    throw new AppError(ErrorCode.INVALID_INPUT, `the schema's positive classes must be some, but not all, categories of "${column.name}"`);
  return { index, positive };
}
