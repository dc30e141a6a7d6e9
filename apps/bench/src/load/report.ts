import type { StudyProgress } from '@consilium/demo/orchestrator';
import type { StudySpec } from '@consilium/schemas';
import type { BenchResult } from '../bench-context.ts';
import { formatTable } from '../format-table.ts';
import type { UploadRecord } from './agents.ts';
import type { RequestRecord } from './http-transport.ts';
import type { LoadOptions } from './options.ts';
import type { ProcStats } from './proc-stats.ts';

/** The database and the hubs at one moment (Date.now()). */
interface Sample {
  at: number;
  db_bytes: number;
  /** Per hub replica; null when its /proc entry could not be read. */
  hubs: Array<ProcStats | null>;
}

export interface RoundSample {
  round_id: string;
  at_open: Sample;
  at_complete: Sample | null;
}

export interface LoadReportInput {
  options: LoadOptions;
  generator: string;
  database: { name: string };
  hubs: Array<{ url: string; pid: number; agents: number; at_end: ProcStats | null }>;
  spec: StudySpec;
  modelParams: number;
  vectorLength: number;
  progress: StudyProgress;
  samples: RoundSample[];
  uploads: UploadRecord[];
  requests: RequestRecord[];
  stored: Array<{ roundId: string; siteId: string }>;
  audited: Array<{ roundId: string | null; siteId: string | null }>;
  auditVerify: { ok: boolean; count: number };
  enrolS: number;
  ceremonyS: number | null;
  wallS: number;
  /** performance.timeOrigin: turns the agents' performance.now() stamps into Date.now() time. */
  timeOrigin: number;
  machine: { cpus: number; load_average_1m_at_start: number; load_average_1m_at_end: number };
}

/** Nearest-rank percentile of `values` (ms), or null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const cpuOf = (s: Sample) => s.hubs.reduce((a, h) => a + (h?.cpuSeconds ?? 0), 0);

/**
 * The load benchmark's figures: per round the hub's round time and its phases as the agents saw
 * them, upload latency percentiles, hub CPU and database growth; overall the hubs' peak RSS and
 * CPU, request errors, and whether every accepted submission was counted exactly once.
 */
export function loadReport(input: LoadReportInput): BenchResult {
  const { options, progress } = input;
  const epoch = (perf: number) => input.timeOrigin + perf;
  const rounds = progress.rounds.map((round) => {
    const sample = input.samples.find((s) => s.round_id === round.id)!;
    const ups = input.uploads.filter((u) => u.roundId === round.id);
    const latencies = ups.map((u) => u.latencyMs);
    const opened = Date.parse(String(round.openedAt));
    const completed = round.completedAt === null ? null : Date.parse(String(round.completedAt));
    const firstStart = ups.length ? Math.min(...ups.map((u) => epoch(u.startedAt))) : null;
    const lastReceipt = ups.length ? Math.max(...ups.map((u) => epoch(u.endedAt))) : null;
    const receipts = ups.filter((u) => u.accepted && !u.duplicate);
    const stored = input.stored.filter((s) => s.roundId === round.id);
    const audited = input.audited.filter((a) => a.roundId === round.id);
    const once = (rows: ReadonlyArray<{ siteId: string | null }>) => new Set(rows.map((r) => r.siteId)).size === rows.length;
    return {
      index: round.index,
      kind: round.kind,
      status: round.status,
      participants: round.participants.length,
      submitted: round.submitted.length,
      completed_with_all_agents: round.status === 'complete' && round.submitted.length === options.agents && round.participants.length === options.agents,
      round_s: completed === null ? null : (completed - opened) / 1000,
      // Phases as the agents saw them: every agent preparing (encoding, encrypting: all of them in this one process),
      // the simultaneous upload of all of them, then sealing, t partial decryptions and the model.
      prepare_s: firstStart === null ? null : (firstStart - opened) / 1000,
      upload_s: firstStart === null || lastReceipt === null ? null : (lastReceipt - firstStart) / 1000,
      close_and_decrypt_s: completed === null || lastReceipt === null ? null : (completed - lastReceipt) / 1000,
      upload_bytes: ups[0]?.bytes ?? null,
      uploaded_bytes_total: ups.reduce((a, u) => a + u.bytes, 0),
      prepare_ms_per_agent_p50: percentile(ups.map((u) => u.prepareMs), 50),
      latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: percentile(latencies, 100), n: latencies.length },
      hub_cpu_s: sample.at_complete ? cpuOf(sample.at_complete) - cpuOf(sample.at_open) : null,
      db_bytes_before: sample.at_open.db_bytes,
      db_bytes_after: sample.at_complete?.db_bytes ?? null,
      db_growth_bytes: sample.at_complete ? sample.at_complete.db_bytes - sample.at_open.db_bytes : null,
      counted_once: {
        receipts: receipts.length,
        submissions_rows: stored.length,
        audit_accepted: audited.length,
        hub_submitted: round.submitted.length,
        ok: receipts.length === stored.length && stored.length === audited.length && stored.length === round.submitted.length && once(stored) && once(audited) && new Set(receipts.map((r) => r.site)).size === receipts.length,
      },
    };
  });
  const errors = input.requests.filter((r) => !r.ok);
  const byCall: Record<string, { n: number; errors: number; p50_ms: number | null; p99_ms: number | null }> = {};
  for (const call of [...new Set(input.requests.map((r) => r.call))].sort()) {
    const of = input.requests.filter((r) => r.call === call);
    byCall[call] = { n: of.length, errors: of.filter((r) => !r.ok).length, p50_ms: percentile(of.map((r) => r.ms), 50), p99_ms: percentile(of.map((r) => r.ms), 99) };
  }
  const train = rounds.filter((r) => r.kind === 'train');
  const trainLatencies = input.uploads.filter((u) => u.kind === 'train').map((u) => u.latencyMs);
  const hubs = input.hubs.map((h) => ({ url: h.url, pid: h.pid, agents: h.agents, peak_rss_bytes: h.at_end?.peakRssBytes ?? null, cpu_s: h.at_end?.cpuSeconds ?? null }));
  const studyCompleted = progress.status === 'completed';
  const json = {
    agents: options.agents,
    replicas: options.replicas,
    training_rounds: options.rounds,
    load_generator: input.generator,
    scheme: input.spec.privacy.secureAggregation,
    committee: input.spec.privacy.committee,
    model: input.spec.model,
    model_params: input.modelParams,
    vector_length: input.vectorLength,
    machine: input.machine,
    database: { kind: 'postgres', name: input.database.name, dropped_after_run: true },
    study_completed: studyCompleted,
    all_rounds_completed_with_all_agents: rounds.every((r) => r.completed_with_all_agents),
    every_accepted_submission_counted_once: rounds.every((r) => r.counted_once.ok),
    audit_chain: input.auditVerify,
    request_errors: errors.length,
    // The hub answered with an error status; the rest had no answer at all (the connection failed; see request_error_samples).
    request_errors_with_hub_answer: errors.filter((e) => e.httpStatus !== null && e.httpStatus !== undefined).length,
    request_error_samples: errors.slice(0, 10),
    requests_by_call: byCall,
    enrol_s: input.enrolS,
    key_ceremony_s: input.ceremonyS,
    wall_s: input.wallS,
    training_round_s_mean: train.length ? train.reduce((a, r) => a + (r.round_s ?? 0), 0) / train.length : null,
    training_upload_latency_ms: { p50: percentile(trainLatencies, 50), p95: percentile(trainLatencies, 95), p99: percentile(trainLatencies, 99), n: trainLatencies.length },
    hubs,
    hub_peak_rss_bytes_max: Math.max(...hubs.map((h) => h.peak_rss_bytes ?? 0)),
    hub_cpu_s_total: hubs.reduce((a, h) => a + (h.cpu_s ?? 0), 0),
    rounds,
    notes: [
      `Load generator: ${input.generator}. The agents' encoding and encryption shares this machine's CPU with the hub(s) and PostgreSQL; it is done before the uploads (prepare_s), which then start together (upload_s).`,
      'Latencies are client-side, per upload request: from the first byte sent to the receipt, through HTTP on loopback, including the wait for the round\'s row lock behind the other uploads.',
      'round_s is the hub\'s own openedAt → completedAt; db growth is pg_database_size when the round was seen open and when it was seen complete (dead tuples of the accumulator\'s updates count until vacuum).',
      'Hub CPU is utime + stime from /proc/<pid>/stat; peak RSS is VmHWM from /proc/<pid>/status, read before the hubs stopped.',
    ],
  };

  const mib = (b: number | null) => (b === null ? '—' : `${(b / 2 ** 20).toFixed(1)}`);
  const s = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
  const table = formatTable(
    ['round', 'agents', 'round s', 'prepare s', 'upload s', 'close+decrypt s', 'p50 ms', 'p95 ms', 'p99 ms', 'upload MiB', 'hub CPU s', 'DB +MiB', 'counted once'],
    rounds.map((r) => [
      `${r.index} ${r.kind}`,
      `${r.submitted}/${r.participants}`,
      s(r.round_s),
      s(r.prepare_s),
      s(r.upload_s),
      s(r.close_and_decrypt_s),
      s(r.latency_ms.p50, 0),
      s(r.latency_ms.p95, 0),
      s(r.latency_ms.p99, 0),
      mib(r.upload_bytes === null ? null : r.upload_bytes * r.latency_ms.n),
      s(r.hub_cpu_s),
      mib(r.db_growth_bytes),
      r.counted_once.ok ? `yes (${r.counted_once.submissions_rows})` : `NO (${r.counted_once.receipts} receipts, ${r.counted_once.submissions_rows} rows, ${r.counted_once.audit_accepted} audited)`,
    ]),
  );
  const text = [
    `Load: ${options.agents} agents, ${options.replicas} hub replica(s) on PostgreSQL, ${json.scheme === 'none' ? 'plaintext' : `CKKS (committee ${options.committeeSize}, threshold ${options.threshold})`}, ${input.modelParams}-parameter MLP (${input.vectorLength} values per update), ${options.rounds} training rounds`,
    `agents: ${input.generator}`,
    '',
    table,
    '',
    ...hubs.map((h, i) => `hub ${i + 1} (pid ${h.pid}, ${h.agents} agents): peak RSS ${mib(h.peak_rss_bytes)} MiB, CPU ${s(h.cpu_s)} s`),
    `enrolment ${s(input.enrolS)} s, key ceremony ${s(input.ceremonyS)} s, whole run ${s(input.wallS, 0)} s; audit chain ${input.auditVerify.ok ? 'verifies' : 'BROKEN'} (${input.auditVerify.count} events)`,
    ...(Math.max(input.machine.load_average_1m_at_start, input.machine.load_average_1m_at_end) > input.machine.cpus
      ? [`WARNING: load average ${input.machine.load_average_1m_at_start.toFixed(1)} → ${input.machine.load_average_1m_at_end.toFixed(1)} on ${input.machine.cpus} CPUs: other work shared this machine and slowed every timing`]
      : []),
    `request errors: ${errors.length}${errors.length ? ` (${[...new Set(errors.map((e) => `${e.call}: ${e.error}`))].slice(0, 3).join('; ')})` : ''}`,
    `study ${progress.status}; every round completed with all agents: ${json.all_rounds_completed_with_all_agents ? 'yes' : 'NO'}; every accepted submission counted exactly once: ${json.every_accepted_submission_counted_once ? 'yes' : 'NO'}`,
  ].join('\n');
  return { json, text };
}
