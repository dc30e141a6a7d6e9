/**
 * The ownership statement downloads: which formats the portal offers, and the file each becomes.
 * The statement itself is signed by the hub; the portal passes it on unchanged.
 */
export const STATEMENT_FORMATS = ['json', 'ndjson', 'html'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const STATEMENT_DOWNLOADS: ReadonlyArray<{ format: StatementFormat; label: string; download: boolean }> = [
  { format: 'json', label: 'Signed statement (JSON)', download: true },
  { format: 'ndjson', label: 'Ledger (NDJSON)', download: true },
  { format: 'html', label: 'Printable statement', download: false },
];

/** `?format=` as a known format; absent means JSON; anything else is null (a 400). */
export function parseStatementFormat(value: string | null): StatementFormat | null {
  if (value === null || value === '') return 'json';
  return (STATEMENT_FORMATS as readonly string[]).includes(value) ? (value as StatementFormat) : null;
}

/** "ownership-statement-<study id>.json", "ledger-<study id>.ndjson", "ownership-statement-<study id>.html". */
export function statementFileName(studyId: string, format: StatementFormat): string {
  const safeId = studyId.replace(/[^A-Za-z0-9-]/g, '');
  return format === 'ndjson' ? `ledger-${safeId}.ndjson` : `ownership-statement-${safeId}.${format}`;
}

export const STATEMENT_CONTENT_TYPES: Record<StatementFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  html: 'text/html; charset=utf-8',
};
