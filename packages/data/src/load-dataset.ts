import { AppError, ErrorCode } from '@consilium/errors';
import type { DataSchema } from '@consilium/schemas';
import { describeIssue } from './data-issues.ts';
import { scanDataset } from './dataset-scan.ts';
import { DEFAULT_MAX_ISSUES } from './inspect-dataset.ts';
import type { LocalDataset } from './local-dataset.ts';

// Enough to see what is wrong in an error message; the doctor lists the rest.
const ERRORS_IN_MESSAGE = 5;

/**
 * Reads and validates a site's data file (the same checks as `inspectDataset`) and returns its
 * usable rows: numeric values, category indices and 0/1 labels. Rows with missing values are
 * dropped where the schema says so.
 *
 * Throws INVALID_DATA when the file has any error; the message names the file and the first
 * problems (line, column, value, what was expected) and `details.issues` lists up to 50.
 * Throws INVALID_INPUT when the file cannot be read.
 */
export async function loadDataset(schema: DataSchema, path: string): Promise<LocalDataset> {
  // The split warnings depend on the test fraction, and loading ignores warnings anyway.
  const { report, dataset } = await scanDataset(schema, path, { maxIssues: DEFAULT_MAX_ISSUES, testFraction: 0, keepRows: true });
  if (report.ok) return dataset;
  const errors = report.issues.filter((issue) => issue.severity === 'error');
  const shown = errors.slice(0, ERRORS_IN_MESSAGE).map((issue) => describeIssue(issue));
  const more = report.errorCount - shown.length;
  throw new AppError(
    ErrorCode.INVALID_DATA,
    `${path} does not match the study's data schema (${report.errorCount} error${report.errorCount === 1 ? '' : 's'}): ` +
      `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}. Run \`consilium-agent doctor\` for the full report.`,
    { details: { file: path, errorCount: report.errorCount, issues: errors } },
  );
}
