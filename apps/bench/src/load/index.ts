/**
 * `npm run bench -- load`: many simulated agents against one or several hub processes on one
 * PostgreSQL database, every agent submitting to every round at once. See ./options.ts (help) and
 * apps/bench/README.md.
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditEvents, submissions } from '@consilium/db';
import { createScratchPostgres } from '@consilium/db/testing';
import { adminClientOf, createStudy, startHubProcess, type HubProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import { HubCrypto } from '@consilium/domain';
import { SimulatedSite } from '@consilium/domain/testing';
import { AppError, ErrorCode } from '@consilium/errors';
import type { BenchContext, BenchResult } from '../bench-context.ts';
import { RoundBarrier, runLoadAgent, type UploadRecord } from './agents.ts';
import { loadTransport, type RequestRecord } from './http-transport.ts';
import { parseLoadOptions } from './options.ts';
import { procStats, type ProcStats } from './proc-stats.ts';
import { loadReport, type RoundSample } from './report.ts';
import { loadStudySpec, siteProfile } from './study.ts';

export { loadHelp, loadOptions } from './options.ts';

/** Why the agents are not real agent processes: said in the help, the JSON and the table. */
export const LOAD_GENERATOR =
  'in-process simulated agents (SimulatedSite: real Ed25519 request and payload signatures, real CKKS encryption and partial decryption, ' +
  'real HTTP on loopback, one long poll each) in the benchmark process; 200 real agent processes cannot run on a 2-core machine';

const MONITOR_MS = 250;

export async function load(ctx: BenchContext): Promise<BenchResult> {
  const options = parseLoadOptions(ctx.flags);
  if (!ctx.databaseUrl) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      'The load benchmark measures hubs on PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test). A fresh database is created on that server for the run and dropped afterwards.',
    );
  }
  const { spec, modelParams, vectorLength } = loadStudySpec(options);
  await mkdir(ctx.workDir, { recursive: true });
  const scratch = await createScratchPostgres(ctx.databaseUrl);
  const databaseUrl = new URL(ctx.databaseUrl);
  databaseUrl.pathname = new URL(scratch.location).pathname;
  const databaseName = databaseUrl.pathname.slice(1);
  const dbSize = async () => Number((rowsOf(await scratch.db.execute('select pg_database_size(current_database())::text as bytes'))[0]!.bytes));

  const hubs: HubProcess[] = [];
  const siteCrypto = new HubCrypto();
  const stop = new AbortController();
  const requests: RequestRecord[] = [];
  const uploads: UploadRecord[] = [];
  const agentRuns: Array<Promise<void>> = [];
  const started = performance.now();
  const loadAverage = os.loadavg()[0]!;
  let succeeded = false;
  try {
    const dataDir = path.join(ctx.workDir, 'hub');
    for (let i = 0; i < options.replicas; i++) {
      // One data directory for every replica (the signing key and the bootstrap admin token, made by the first).
      hubs.push(
        await startHubProcess({
          dataDir,
          databaseUrl: databaseUrl.toString(),
          logFile: path.join(ctx.workDir, `hub-${i + 1}.log`),
          env: { CONSILIUM_LOG_LEVEL: 'info' },
          ...(i > 0 ? { adminToken: hubs[0]!.adminToken } : {}),
        }),
      );
    }
    ctx.log(`${options.replicas} hub process(es) on database ${databaseName}: ${hubs.map((h) => `${h.url} (pid ${h.pid})`).join(', ')}`);
    const admin = adminClientOf(hubs[0]!);
    const names = Array.from({ length: options.agents }, (_, i) => `Load site ${String(i + 1).padStart(4, '0')}`);
    const { studyId, tokens } = await createStudy(hubs[0]!, spec, names);
    const sites = names.map((name, i) => new SimulatedSite({ name, crypto: siteCrypto, profile: siteProfile(i) }));
    const hubOfSite = new Map(sites.map((site, i) => [site, hubs[i % hubs.length]!.url]));
    const transport = loadTransport({ hubOf: (site) => hubOfSite.get(site)!, waitMs: options.waitMs, signal: stop.signal, record: (r) => requests.push(r) });
    ctx.log(`study ${studyId}: ${spec.model.type === 'mlp' ? spec.model.hiddenUnits.join('×') : ''} MLP, ${modelParams} parameters (${vectorLength} values per update), ${options.encrypted ? `CKKS, committee ${options.committeeSize}, threshold ${options.threshold}` : 'plaintext'}; enrolling ${options.agents} agents`);

    // Enrolment, ten at a time; the last one starts the study (key ceremony among the committee).
    const enrolled = performance.now();
    for (let i = 0; i < sites.length; i += 10) {
      await Promise.all(sites.slice(i, i + 10).map(async (site) => (site.siteId = (await transport.enroll(site, tokens[site.name]!)).siteId)));
    }
    const enrolS = (performance.now() - enrolled) / 1000;
    const study = { id: studyId, spec };
    const barrier = new RoundBarrier(options.agents, 10 * 60_000);
    for (const site of sites) agentRuns.push(runLoadAgent({ site, transport, study, barrier, uploads, signal: stop.signal }));
    ctx.log(`${options.agents} agents enrolled in ${enrolS.toFixed(1)} s and polling; ${options.rounds + 1} rounds (statistics + ${options.rounds} training)`);

    // Watch the study; sample the database and the hubs when each round opens and completes.
    const sample = async (): Promise<RoundSample['at_open']> => ({ at: Date.now(), db_bytes: await dbSize(), hubs: hubs.map((h) => procStats(h.pid)) });
    const samples = new Map<string, { open: RoundSample['at_open']; complete: RoundSample['at_open'] | null }>();
    const ceremonyStarted = Date.now();
    let ceremonyS: number | null = null;
    const timeoutMs = (options.rounds + 2) * (options.deadlineS + 120) * 1000;
    let progress: StudyProgress;
    let lastLine = '';
    let monitorFailures = 0;
    for (;;) {
      try {
        progress = await admin.studies.progress.query({ studyId });
        monitorFailures = 0;
      } catch (error) {
        // The benchmark's own watching is not the agents' load: a slow answer is retried, not fatal.
        if (++monitorFailures >= 10) throw error;
        ctx.log(`progress query failed (${(error as Error).message}); retrying`);
        await sleep(1000);
        continue;
      }
      for (const round of progress.rounds) {
        let s = samples.get(round.id);
        if (!s) samples.set(round.id, (s = { open: await sample(), complete: null }));
        if (round.index === 0 && ceremonyS === null) ceremonyS = (Date.parse(String(round.openedAt)) - ceremonyStarted) / 1000;
        if (round.status === 'complete' && !s.complete) s.complete = await sample();
        if (round.status === 'failed') throw new AppError(ErrorCode.INTERNAL, `round ${round.index} failed: ${round.failureReason} (logs in ${ctx.workDir})`);
      }
      if (progress.status === 'completed') break;
      if (progress.status === 'failed') throw new AppError(ErrorCode.INTERNAL, `the study failed: ${progress.failureReason} (logs in ${ctx.workDir})`);
      const current = progress.rounds.at(-1);
      const line = current ? `round ${current.index} (${current.kind}) ${current.status}: ${current.submitted.length}/${current.participants.length} submitted, ${current.decrypted.length} decrypted` : `study ${progress.status}: key ceremony`;
      if (line !== lastLine) ctx.log((lastLine = line));
      if (performance.now() - started > timeoutMs) throw new AppError(ErrorCode.UNAVAILABLE, `the study did not finish within ${timeoutMs / 1000} s (${line}; logs in ${ctx.workDir})`);
      await sleep(MONITOR_MS);
    }
    ctx.log(`study completed after ${((performance.now() - started) / 1000).toFixed(0)} s; checking what the hub counted`);
    const hubsAtEnd = hubs.map((h) => procStats(h.pid));
    stop.abort();
    await Promise.allSettled(agentRuns);

    // What the hub counted, straight from its database, against the receipts the agents hold.
    const roundIds = new Set(progress.rounds.map((r) => r.id));
    const stored = (await scratch.db.select({ roundId: submissions.roundId, siteId: submissions.siteId }).from(submissions)).filter((s) => roundIds.has(s.roundId));
    const audited = (await scratch.db.select({ roundId: auditEvents.roundId, siteId: auditEvents.siteId, action: auditEvents.action }).from(auditEvents)).filter(
      (e) => e.action === 'round.submission_accepted' && e.roundId !== null && roundIds.has(e.roundId),
    );
    const auditVerify = await admin.audit.verify.query();

    const report = loadReport({
      options,
      generator: LOAD_GENERATOR,
      database: { name: databaseName },
      hubs: hubs.map((h, i) => ({ url: h.url, pid: h.pid, at_end: hubsAtEnd[i] ?? null, agents: sites.filter((_, j) => j % hubs.length === i).length })),
      spec,
      modelParams,
      vectorLength,
      progress,
      samples: progress.rounds.map((r) => ({ round_id: r.id, at_open: samples.get(r.id)!.open, at_complete: samples.get(r.id)!.complete })),
      uploads,
      requests,
      stored,
      audited,
      auditVerify: { ok: auditVerify.ok, count: auditVerify.count },
      enrolS,
      ceremonyS,
      wallS: (performance.now() - started) / 1000,
      timeOrigin: performance.timeOrigin,
      machine: { cpus: os.cpus().length, load_average_1m_at_start: loadAverage, load_average_1m_at_end: os.loadavg()[0]! },
    });
    succeeded = true;
    return report;
  } finally {
    stop.abort();
    await Promise.allSettled(agentRuns);
    await Promise.all(hubs.map((h) => h.stop().catch(() => undefined)));
    await siteCrypto.dispose().catch(() => undefined);
    await scratch.close().catch((error: unknown) => ctx.log(`could not drop database ${databaseName}: ${(error as Error).message}`));
    if (!options.keep && succeeded) await rm(ctx.workDir, { recursive: true, force: true });
    else ctx.log(`kept ${ctx.workDir} (hub logs)`);
  }
}

export type { ProcStats };

function rowsOf(result: unknown): Array<Record<string, unknown>> {
  const rows = (result as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new AppError(ErrorCode.INTERNAL, 'unexpected raw query result: no rows');
  return rows as Array<Record<string, unknown>>;
}
