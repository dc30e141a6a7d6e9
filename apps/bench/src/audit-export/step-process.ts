/**
 * One measured step in a process of its own, run by steps.ts, so that its peak RSS is the step's
 * alone (the bulk insert before it grew the parent's memory, and PGlite's WebAssembly heap never
 * shrinks). Prints one JSON line: a StepResult.
 */
import { ownPeakRssBytes } from '../peak-rss.ts';
import { StepInput, type StepResult } from './steps.ts';

const input = StepInput.parse(JSON.parse(process.argv[2] ?? 'null'));
// Each step loads only what it uses, as consilium-audit (no database driver) and audit:export do.
const open = async (database: { url?: string | undefined; pgliteDir?: string | undefined }) => {
  const { createDatabase } = await import('@consilium/db');
  // Opened as the hub's audit:export opens it: PostgreSQL by URL, else PGlite in a directory.
  return createDatabase(database.url ? { url: database.url, poolSize: 1 } : { dataDir: database.pgliteDir });
};
const started = performance.now();
let result: Omit<StepResult, 'seconds' | 'peak_rss_bytes' | 'getrusage_max_rss_bytes'>;
if (input.task === 'baseline') {
  let events = 0;
  if (input.database) {
    const { readAuditHead } = await import('@consilium/audit/export');
    const database = await open(input.database);
    events = (await readAuditHead(database.db)).seq;
    await database.close();
  } else {
    await import('@consilium/audit/verify-export');
  }
  result = { events, ok: true, detail: null };
} else if (input.task === 'verify') {
  const { verifyAuditExportFile } = await import('@consilium/audit/verify-export');
  const verified = await verifyAuditExportFile(input.file, { publicKey: input.publicKey });
  result = { events: verified.count, ok: verified.ok, detail: verified.ok ? null : JSON.stringify({ firstBad: verified.firstBad, problems: verified.problems }) };
} else {
  const { writeAuditExport } = await import('@consilium/audit/export');
  const database = await open(input.database);
  try {
    const written = await writeAuditExport(database.db, { format: input.format, filter: input.filter, out: input.file, signingKeyPem: input.signingKeyPem, pageSize: input.pageSize });
    result = { events: written.manifest.count, ok: true, bytes: written.manifest.file.bytes, detail: null };
  } finally {
    await database.close();
  }
}
const seconds = (performance.now() - started) / 1000;
const output: StepResult = { ...result, seconds, peak_rss_bytes: ownPeakRssBytes(), getrusage_max_rss_bytes: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(`${JSON.stringify(output)}\n`);
