import { AppError, ErrorCode } from '@consilium/errors';
import { TrainingConfig } from '@consilium/schemas';
import type { DataSchema } from '@consilium/schemas';
import type { DoctorReport } from './doctor-report.ts';
import { scanDataset } from './dataset-scan.ts';

/** Options of `inspectDataset`. */
export interface InspectOptions {
  /** How many line-level findings to list (all are counted). Default 50. */
  maxIssues?: number;
  /** The study's `training.testFraction`, to warn about classes too small to split. Default: the TrainingConfig default. */
  testFraction?: number;
}

/** Listing more than this many problems helps nobody: the first ones show the pattern. */
export const DEFAULT_MAX_ISSUES = 50;

const DEFAULT_TEST_FRACTION = TrainingConfig.parse({}).testFraction;

/**
 * Checks a site's data file against the study's data schema and reports every problem, located by
 * line and column, with row, class and per-column summaries. This is what `consilium-agent doctor`
 * shows. Problems in the file are findings in the report, not exceptions; it throws only when the
 * file cannot be read or the arguments are wrong (INVALID_INPUT).
 */
export async function inspectDataset(schema: DataSchema, path: string, options: InspectOptions = {}): Promise<DoctorReport> {
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!Number.isInteger(maxIssues) || maxIssues < 0) throw new AppError(ErrorCode.INVALID_INPUT, `maxIssues must be a non-negative integer, got ${maxIssues}`);
  if (!(testFraction >= 0 && testFraction < 1)) throw new AppError(ErrorCode.INVALID_INPUT, `testFraction must be in [0, 1), got ${testFraction}`);
  const { report } = await scanDataset(schema, path, { maxIssues, testFraction, keepRows: false });
  return report;
}
