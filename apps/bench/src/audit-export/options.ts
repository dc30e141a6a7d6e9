import { AppError, ErrorCode } from '@consilium/errors';
import { intFlags } from '../flags.ts';

/** The flags audit-export takes (parsed strictly by main.ts: a misspelt flag is an error). */
export const auditExportOptions = {
  events: 'string',
  batch: 'string',
  'page-size': 'string',
  keep: 'boolean',
} as const;

export interface AuditExportOptions {
  events: number;
  /** Rows per multi-row INSERT while filling the log. */
  batch: number;
  /** Events per keyset page of the export. */
  pageSize: number;
  /** Keep the database and export files in the work directory. */
  keep: boolean;
}

export const auditExportHelp = `audit-export — streamed audit log export (CSV and NDJSON) and its offline verification
  --events <n>      audit events in the log (default 1000000), bulk-inserted with correctly chained hashes
  --batch <n>       rows per multi-row INSERT while filling the log (default 1000)
  --page-size <n>   events per keyset page of the export (default 5000)
  --keep            keep the database and the export files in the work directory (.consilium/bench/…)
Each export (complete chain in both formats, then one study's events as NDJSON) and each offline
verification runs in a process of its own, whose time and peak RSS are reported; then the audit
viewer's keyset pages (audit.events) are timed: single pages and a walk of one study's events. The
database is embedded PGlite in the work directory, or a scratch database on DATABASE_URL's server.`;

/** The options from the flags, with defaults; throws INVALID_INPUT naming every bad flag. */
export function parseAuditExportOptions(flags: Record<string, string | undefined>): AuditExportOptions {
  const issues: string[] = [];
  const int = intFlags(flags, issues);
  const options: AuditExportOptions = {
    events: int('events', 1_000_000, 1, 100_000_000),
    // 10 columns a row: PostgreSQL takes at most 65535 parameters per statement.
    batch: int('batch', 1000, 1, 6000),
    pageSize: int('page-size', 5000, 1, 100_000),
    keep: flags.keep === 'true',
  };
  if (issues.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, `audit-export: ${issues.join('; ')}`, { details: { issues } });
  return options;
}
