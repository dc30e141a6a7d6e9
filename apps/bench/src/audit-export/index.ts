import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { generateIdentity } from '@consilium/protocol';
import type { BenchContext, BenchResult } from '../bench-context.ts';
import { formatTable } from '../format-table.ts';
import { parseAuditExportOptions } from './options.ts';
import { SEEDED_STUDIES, seedAuditChain, seededStudyId } from './seed.ts';
import { runStep, type StepResult } from './steps.ts';
import { measureViewer } from './viewer.ts';

export { auditExportHelp, auditExportOptions } from './options.ts';

/** Where the steps find the database: PGlite files in the work directory, or a scratch PostgreSQL database. */
interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  location: { url?: string; pgliteDir?: string };
  drop(): Promise<void>;
}

/**
 * Fills an audit log with `--events` chained events, then measures what a compliance officer's
 * export costs: the complete chain exported as CSV and as NDJSON, one study's events as NDJSON, and
 * each file verified offline — every step in a process of its own, timed, with its peak RSS.
 */
export async function auditExport(ctx: BenchContext): Promise<BenchResult> {
  const options = parseAuditExportOptions(ctx.flags);
  const log = (line: string): void => ctx.log(line);
  await mkdir(ctx.workDir, { recursive: true });
  const database = await createBenchDatabase(ctx.workDir, ctx.databaseUrl);
  const hub = generateIdentity();
  try {
    log(`filling the audit log (${database.kind}) with ${options.events} events, ${options.batch} per INSERT`);
    const seed = await seedDatabase(database, options.events, options.batch, log);
    log(`seeded in ${seed.seconds.toFixed(1)} s (${rate(options.events / seed.seconds)} events/s)`);

    const baselineDb = await runStep({ task: 'baseline', database: database.location });
    const baselineIdle = await runStep({ task: 'baseline' });
    const rows: Array<[string, StepResult]> = [];
    const step = async (name: string, run: () => Promise<StepResult>) => {
      log(`${name}…`);
      const result = await run();
      if (!result.ok) throw new AppError(ErrorCode.INTERNAL, `${name} failed: ${result.detail}`);
      log(`${name}: ${result.events} events in ${result.seconds.toFixed(1)} s, peak RSS ${mib(result.peak_rss_bytes)}`);
      rows.push([name, result]);
      return result;
    };
    const file = (name: string) => path.join(ctx.workDir, name);
    const exportStep = (format: 'csv' | 'ndjson', out: string, filter: Record<string, string> = {}) =>
      runStep({ task: 'export', database: database.location, format, filter, file: out, signingKeyPem: hub.privateKeyPem, pageSize: options.pageSize });
    const verifyStep = (out: string) => runStep({ task: 'verify', file: out, publicKey: hub.publicKey });

    const exportCsv = await step('export csv', () => exportStep('csv', file('audit.csv')));
    const exportNdjson = await step('export ndjson', () => exportStep('ndjson', file('audit.ndjson')));
    const verifyCsv = await step('verify csv', () => verifyStep(file('audit.csv')));
    const verifyNdjson = await step('verify ndjson', () => verifyStep(file('audit.ndjson')));
    // One study's events (every SEEDED_STUDIES-th), found through the (study_id, seq) index.
    const studyFilter = { studyId: seededStudyId(0) };
    const exportStudy = await step('export ndjson, one study', () => exportStep('ndjson', file('study.ndjson'), studyFilter));
    const verifyStudy = await step('verify ndjson, one study', () => verifyStep(file('study.ndjson')));
    log('audit viewer pages (audit.events)…');
    const viewer = await measureViewer(database.location, options.events);
    log(`audit viewer: one study's ${viewer.walk.events} events in ${viewer.walk.pages} pages of ${viewer.walk.page_size}, ${viewer.walk.seconds.toFixed(2)} s`);
    for (const [name, r] of rows) {
      const expected = name.endsWith('one study') ? Math.floor(options.events / SEEDED_STUDIES) : options.events;
      if (r.events !== expected) throw new AppError(ErrorCode.INTERNAL, `${name} handled ${r.events} events, expected ${expected}`);
    }

    const figures = (r: StepResult) => ({
      seconds: r.seconds,
      events_per_s: r.events / r.seconds,
      peak_rss_bytes: r.peak_rss_bytes,
      getrusage_max_rss_bytes: r.getrusage_max_rss_bytes,
      events: r.events,
      ...(r.bytes === undefined ? {} : { file_bytes: r.bytes }),
    });
    const json = {
      events: options.events,
      database: database.kind,
      page_size: options.pageSize,
      insert_batch: options.batch,
      machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', total_memory_bytes: os.totalmem(), load_average_1m: os.loadavg()[0] },
      seed: { seconds: seed.seconds, events_per_s: options.events / seed.seconds },
      export: { csv: figures(exportCsv), ndjson: figures(exportNdjson) },
      verify: { csv: { ...figures(verifyCsv), file_bytes: exportCsv.bytes }, ndjson: { ...figures(verifyNdjson), file_bytes: exportNdjson.bytes } },
      filtered: { filter: studyFilter, export: figures(exportStudy), verify: { ...figures(verifyStudy), file_bytes: exportStudy.bytes } },
      viewer,
      baseline_peak_rss_bytes: { database_opened: baselineDb.peak_rss_bytes, modules_loaded: baselineIdle.peak_rss_bytes },
      notes: [
        'Each export and verification ran in a process of its own. peak_rss_bytes is that process\'s own high-water mark (Linux /proc/self/status VmHWM); getrusage_max_rss_bytes is process.resourceUsage().maxRSS, which on Linux also counts the parent\'s RSS at spawn time and so overstates a child\'s peak.',
        'baseline_peak_rss_bytes: a process that loaded the same modules and opened the database (or not, for verification) and stopped — what each step starts from.',
        'The exports read the database in keyset pages of page_size events; verification streams the file in 1 MiB chunks.',
        'viewer: the audit log viewer\'s keyset pages (audit.events: seq < cursor ORDER BY seq DESC LIMIT n + 1), timed in the bench\'s process, median of 5 runs after a warm-up; walk: every page of one study\'s events, newest to oldest.',
        'The log was filled by multi-row INSERTs of events hashed with the audit package\'s hashAuditRecord, not by appendAuditEvent.',
      ],
    };
    const text = [
      `${options.events} audit events on ${database.kind}; export pages of ${options.pageSize} events; seeded at ${rate(options.events / seed.seconds)} events/s`,
      formatTable(
        ['step', 'events', 'seconds', 'events/s', 'file', 'peak RSS'],
        rows.map(([name, r]) => {
          const bytes = r.bytes ?? (name.startsWith('verify') ? rows.find(([n]) => n === name.replace('verify', 'export'))?.[1].bytes : undefined);
          return [name, String(r.events), r.seconds.toFixed(2), rate(r.events / r.seconds), bytes === undefined ? '' : mib(bytes), mib(r.peak_rss_bytes)];
        }),
      ),
      `audit viewer, pages of ${viewer.page_size} events (median of 5):`,
      formatTable(
        ['page', 'events', 'median ms', 'max ms'],
        viewer.pages.map((p) => [p.name, String(p.events), p.median_ms.toFixed(1), p.max_ms.toFixed(1)]),
      ),
      `audit viewer walk: one study's ${viewer.walk.events} events in ${viewer.walk.pages} pages of ${viewer.walk.page_size}: ${viewer.walk.seconds.toFixed(2)} s, ${viewer.walk.mean_page_ms.toFixed(1)} ms a page`,
      `baseline peak RSS: ${mib(baselineDb.peak_rss_bytes)} with the ${database.kind} database opened, ${mib(baselineIdle.peak_rss_bytes)} with the modules loaded`,
    ].join('\n');
    return { json, text };
  } finally {
    if (!options.keep) {
      await database.drop();
      await rm(ctx.workDir, { recursive: true, force: true });
    }
  }
}

async function seedDatabase(database: BenchDatabase, events: number, batch: number, log: (line: string) => void): Promise<{ seconds: number }> {
  const handle = await createDatabase(database.location.url ? { url: database.location.url, poolSize: 1 } : { dataDir: database.location.pgliteDir });
  try {
    await handle.migrate();
    const started = performance.now();
    let reported = 0;
    await seedAuditChain(handle.db, {
      events,
      batch,
      onProgress: (done) => {
        if (done - reported >= 100_000) {
          reported = done;
          log(`  ${done} events`);
        }
      },
    });
    return { seconds: (performance.now() - started) / 1000 };
  } finally {
    // Closed before the steps run: PGlite files are opened by one process at a time.
    await handle.close();
  }
}

async function createBenchDatabase(workDir: string, databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (!databaseUrl) {
    const pgliteDir = path.join(workDir, 'pglite');
    return { kind: 'pglite', location: { pgliteDir }, drop: () => rm(pgliteDir, { recursive: true, force: true }) };
  }
  // A scratch database on the same server, dropped at the end, so that a million events never land in a real one.
  const name = `consilium_bench_audit_${randomBytes(6).toString('hex')}`;
  const onServer = async (statement: string) => {
    const admin = await createDatabase({ url: databaseUrl, poolSize: 1 });
    try {
      await admin.db.execute(statement);
    } finally {
      await admin.close();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return { kind: 'postgres', location: { url: url.toString() }, drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function rate(perS: number): string {
  return perS >= 1e6 ? `${(perS / 1e6).toFixed(2)} M` : perS >= 1e3 ? `${(perS / 1e3).toFixed(1)} k` : perS.toFixed(0);
}
