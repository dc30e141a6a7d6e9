import type { DataIssue, IssueTally } from './data-issues.ts';

/** A numeric column's values among the usable rows. */
export interface NumericColumnSummary {
  name: string;
  type: 'numeric';
  /** Whether the file has the column at all. */
  present: boolean;
  /** Usable rows (each has a value). */
  count: number;
  /** null when there is no usable row. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Rows read with a missing value here, whether they were then dropped or rejected. */
  missing: number;
}

/** A categorical column's values among the usable rows. */
export interface CategoricalColumnSummary {
  name: string;
  type: 'categorical';
  present: boolean;
  /** Usable rows per category, in declared order (every category is listed, even at 0). */
  counts: Record<string, number>;
  /** Rows read with a missing value here, whether they were then dropped or rejected. */
  missing: number;
}

/** Summary of one used column; ignored columns are not summarised. */
export type ColumnSummary = NumericColumnSummary | CategoricalColumnSummary;

/** Rows left out of training because of a missing value in `column` (policy `drop_row`). */
export interface DropReason {
  reason: 'missing_value';
  column: string;
  /** A row missing several values counts under each of them. */
  rows: number;
}

/**
 * The result of checking a site's data file against a study's data schema (the agent's `doctor`).
 * Row counts satisfy rowsRead = rowsUsable + rowsDropped + rowsRejected.
 */
export interface DoctorReport {
  /** The file checked, as given. */
  file: string;
  /** True iff there is no error (warnings allowed): the file can be used for the study. */
  ok: boolean;
  /** Data rows read (header, blank lines and lines after a CSV syntax error not counted). */
  rowsRead: number;
  /** Rows that will be used for training and evaluation. */
  rowsUsable: number;
  /** Rows left out because of missing values, as the schema allows. */
  rowsDropped: number;
  /** Rows with an error, or every row when a required column is missing from the file. */
  rowsRejected: number;
  droppedByReason: DropReason[];
  /** Class counts among the usable rows; `positive` are rows whose target is a positive category. */
  classCounts: { positive: number; negative: number };
  /** The target column and the categories that count as positive. */
  target: { column: string; positive: string[] };
  /** The used columns, in declared order, including the target. */
  columns: ColumnSummary[];
  errorCount: number;
  warningCount: number;
  /** Whole-file findings and the first line-level findings (see `maxIssues`), in file order. */
  issues: DataIssue[];
  /** Every finding counted by kind and column, errors first. */
  issueSummary: IssueTally[];
}
