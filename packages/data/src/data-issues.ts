/** How bad a finding is: errors make the file unusable for the study, warnings do not. */
export type IssueSeverity = 'error' | 'warning';

/** Every kind of finding the data check reports. */
export type IssueKind =
  /** The file is not well-formed CSV (e.g. an unclosed quote); reading stopped there. */
  | 'malformed_csv'
  /** No header line or no data rows at all. */
  | 'empty_file'
  /** A declared column is absent from the header (an error unless the column is ignored). */
  | 'missing_column'
  /** A header column the schema does not declare. */
  | 'extra_column'
  /** The header names a column twice. */
  | 'duplicate_column'
  /** A line has a different number of fields than the header (or the schema, without a header). */
  | 'field_count'
  /** A numeric column holds something that is not a number. */
  | 'not_numeric'
  /** A numeric value outside the column's declared plausible range. */
  | 'out_of_range'
  /** A categorical value that is none of the column's categories. */
  | 'unknown_category'
  /** A missing value in a column whose policy is `error`. */
  | 'missing_value'
  /** Every data row was dropped or invalid. */
  | 'no_usable_rows'
  /** All usable rows have the same target class, so there is nothing to learn. */
  | 'single_class'
  /** Too few usable rows for a train/test split with every class on both sides. */
  | 'too_few_rows';

/** One finding, located as precisely as possible. */
export interface DataIssue {
  severity: IssueSeverity;
  kind: IssueKind;
  /** What is wrong, in words, without the location (e.g. `"abc" is not a number`). */
  message: string;
  /** 1-based line of the file; absent for findings about the whole file. */
  line?: number;
  /** The column's name, as declared in the schema or as found in the header. */
  column?: string;
  /** 1-based position of the field on the line. */
  field?: number;
  /** The offending cell, as read (trimmed). */
  value?: string;
  /** What was expected instead. */
  expected?: string;
}

/** How many findings of one kind one column has (all of them, not only the listed ones). */
export interface IssueTally {
  severity: IssueSeverity;
  kind: IssueKind;
  column?: string;
  count: number;
}

/**
 * Collects findings, keeping the first `maxListed` line-level ones and counting the rest, so that
 * a file with a million bad cells still yields a short, useful report. Whole-file findings (no
 * line) are few and always listed.
 */
export class IssueCollector {
  readonly listed: DataIssue[] = [];
  errorCount = 0;
  warningCount = 0;
  private readonly maxListed: number;
  private readonly tallies = new Map<string, IssueTally>();

  constructor(maxListed: number) {
    this.maxListed = maxListed;
  }

  add(issue: DataIssue): void {
    if (issue.severity === 'error') this.errorCount++;
    else this.warningCount++;
    if (issue.line === undefined || this.listed.length < this.maxListed) this.listed.push(issue);
    const key = `${issue.severity}\u0000${issue.kind}\u0000${issue.column ?? ''}`;
    const tally = this.tallies.get(key);
    if (tally) tally.count++;
    else this.tallies.set(key, { severity: issue.severity, kind: issue.kind, ...(issue.column === undefined ? {} : { column: issue.column }), count: 1 });
  }

  /** Counts per kind and column, errors first, most frequent first. */
  summary(): IssueTally[] {
    return [...this.tallies.values()].sort(
      (a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning') || b.count - a.count,
    );
  }
}

/**
 * One line describing a finding: `line 12, column "sbp" (field 5): "abc" is not a number (expected
 * a number in [70, 250])`, prefixed with the file when given.
 */
export function describeIssue(issue: DataIssue, file?: string): string {
  const where: string[] = [];
  if (issue.line !== undefined) where.push(`line ${issue.line}`);
  if (issue.column !== undefined) where.push(`column "${issue.column}"${issue.field === undefined ? '' : ` (field ${issue.field})`}`);
  else if (issue.field !== undefined) where.push(`field ${issue.field}`);
  const location = [file, where.join(', ')].filter((part) => part !== undefined && part !== '').join(': ');
  const expected = issue.expected === undefined ? '' : ` (expected ${issue.expected})`;
  return `${location === '' ? '' : `${location}: `}${issue.message}${expected}`;
}
