import path from 'node:path';
import { defaultHeartDiseaseDir, heartDiseaseStudySpec } from '@consilium/data/heart-disease';
import { initBackend } from '@consilium/fl/train';
import { AppError, ErrorCode } from '@consilium/errors';
import { parseStudySpec, type StudySpec } from '@consilium/schemas';
import type { BenchContext, BenchResult } from '../bench-context.ts';
import { formatTable } from '../format-table.ts';
import { trainPooled, type MethodResult } from './baselines.ts';
import { runDpSweep, type DpSetting } from './dp-sweep.ts';
import { runDir, runFederated, type FederatedResult } from './federated.ts';
import { loadHospitalSplits } from './heart-data.ts';

/** The flags fed-heart takes. */
export const fedHeartOptions = {
  data: 'string',
  seed: 'string',
  seeds: 'string',
  rounds: 'string',
  'skip-federated': 'boolean',
  dp: 'boolean',
  'dp-epsilons': 'string',
  'dp-clip': 'string',
  'dp-delta': 'string',
  'dp-repeats': 'string',
} as const;

/** Defaults of the accuracy-vs-ε sweep; see dpOptionsOf. */
const DP_EPSILONS = [0.5, 1, 2, 4, 8];
const DP_DELTA = 1e-5;
const DP_REPEATS = 5;
/** About the median L2 norm of a hospital's per-round change ‖θ_i − θ_global‖ in plain FedAvg here (update_norm_quantiles). */
const DP_CLIP_NORM = 0.1;

export const fedHeartHelp = `fed-heart — UCI Heart Disease, four hospitals (FLamby's natural split and preprocessing)
  --data <dir>     folder with the four processed.*.data files (default: ${defaultHeartDiseaseDir()})
  --seed <n>       the train/test split and training seed (default: the study's, 42)
  --seeds <a,b,…>  run every method on several seeds' splits and report means
  --rounds <n>     override the study's number of training rounds
  --skip-federated run only the local and centralized baselines
  --dp             also sweep accuracy against ε: DP-FedAvg in memory (clipping + distributed Gaussian noise)
  --dp-epsilons <a,b,…> the ε targets (default ${DP_EPSILONS.join(',')}; implies --dp), plus ∞ (clip only) and no DP
  --dp-clip <C>    the per-site L2 clip norm (default ${DP_CLIP_NORM}); --dp-delta <δ> (default ${DP_DELTA})
  --dp-repeats <n> noisy runs per ε, averaged (default ${DP_REPEATS})
Methods: local_<hospital> (each hospital alone), centralized (pooled training rows), fedavg_plaintext and
fedavg_encrypted (one hub + one agent process per hospital over HTTP, the hub's real database).`;

/** One method's result on one split. */
type Outcome = MethodResult | FederatedResult;

/**
 * Compares, on the same split and with the same training code: each hospital alone, centralized
 * pooled training, and federated FedAvg in plaintext and under multiparty CKKS. With --seeds, every
 * method runs on each seed's split and the table shows means (FLamby reports means over 5 seeds).
 */
export async function fedHeart(ctx: BenchContext): Promise<BenchResult> {
  const dataDir = ctx.flags.data ?? defaultHeartDiseaseDir();
  const base = heartDiseaseStudySpec();
  const seeds = (ctx.flags.seeds ?? ctx.flags.seed ?? String(base.training?.seed ?? 42)).split(',').map((v) => Number(v.trim()));
  await initBackend('auto');

  const dp = dpOptionsOf(ctx.flags);
  const perSeed: Array<{ seed: number; methods: Record<string, Outcome>; testKeys: string[]; dp?: DpSweep }> = [];
  for (const seed of seeds) {
    const spec = parseStudySpec({
      ...base,
      training: { ...base.training, seed, ...(ctx.flags.rounds ? { rounds: Number(ctx.flags.rounds) } : {}) },
    });
    perSeed.push({ seed, ...(await runSeed(ctx, spec, dataDir, dp)) });
  }

  const testKeys = perSeed[0]!.testKeys;
  const methodNames = Object.keys(perSeed[0]!.methods);
  const mean = (pick: (r: Outcome) => number | null): Record<string, number | null> =>
    Object.fromEntries(methodNames.map((m) => [m, average(perSeed.map((p) => pick(p.methods[m]!)))]));
  const json: Record<string, unknown> = {};
  for (const method of methodNames) {
    json[method] = Object.fromEntries([
      ...testKeys.map((k) => [k, { accuracy: mean((r) => r.scores[k]!.accuracy)[method], loss: mean((r) => r.scores[k]!.loss)[method], auc: mean((r) => r.scores[k]!.auc)[method], n: perSeed[0]!.methods[method]!.scores[k]!.n }]),
      ['wall_time_s', round(mean((r) => r.wallTimeS)[method] ?? 0)],
    ]);
  }
  const pooled = mean((r) => r.scores.pooled!.accuracy);
  const summary: Record<string, unknown> = { data_dir: path.resolve(dataDir), seeds, training: parseStudySpec(base).training };
  const federated = perSeed.map((p) => ({ plain: p.methods.fedavg_plaintext as FederatedResult | undefined, enc: p.methods.fedavg_encrypted as FederatedResult | undefined }));
  const notes: string[] = [];
  if (federated.every((f) => f.plain && f.enc)) {
    const roundPlain = average(federated.map((f) => f.plain!.meanTrainRoundS))!;
    const roundEnc = average(federated.map((f) => f.enc!.meanTrainRoundS))!;
    const bytesPlain = average(federated.map((f) => f.plain!.bytesPerSitePerRound))!;
    const bytesEnc = average(federated.map((f) => f.enc!.bytesPerSitePerRound))!;
    const encAcc = pooled.fedavg_encrypted!;
    const diffs = perSeed.map((p) => Math.abs(p.methods.fedavg_encrypted!.scores.pooled!.accuracy - p.methods.fedavg_plaintext!.scores.pooled!.accuracy));
    Object.assign(summary, {
      round_time_s: { fedavg_plaintext: round(roundPlain), fedavg_encrypted: round(roundEnc) },
      encrypted_to_plaintext_round_time_ratio: round(roundEnc / roundPlain),
      upload_bytes_per_site_per_round: { fedavg_plaintext: Math.round(bytesPlain), fedavg_encrypted: Math.round(bytesEnc) },
      max_encrypted_vs_plaintext_pooled_accuracy_diff: round(Math.max(...diffs), 6),
      encrypted_minus_centralized_pooled_accuracy: round(encAcc - pooled.centralized!, 6),
      targets: {
        encrypted_matches_plaintext_within_0_001: Math.max(...diffs) <= 0.001,
        encrypted_pooled_accuracy_at_least_0_78: encAcc >= 0.78,
        encrypted_within_1pp_of_centralized: pooled.centralized! - encAcc <= 0.01,
      },
    });
    notes.push(
      `encrypted/plaintext training-round time: ${roundEnc.toFixed(2)} s / ${roundPlain.toFixed(2)} s = ${(roundEnc / roundPlain).toFixed(2)}×`,
      `upload per site per round: encrypted ${(bytesEnc / 1024).toFixed(1)} KiB, plaintext ${(bytesPlain / 1024).toFixed(2)} KiB`,
    );
  }
  if (perSeed.length > 1) {
    summary.per_seed_pooled_accuracy = Object.fromEntries(perSeed.map((p) => [p.seed, Object.fromEntries(methodNames.map((m) => [m, p.methods[m]!.scores.pooled!.accuracy]))]));
  }
  json.summary = summary;
  if (dp) {
    const sweep = summariseDp(perSeed.map((p) => p.dp!));
    json.dp = sweep.rows;
    json.dp_settings = { delta: dp.delta, clip_norm: dp.clipNorm, repeats: dp.repeats, rounds: parseStudySpec(base).training.rounds, update_norm_quantiles: sweep.normQuantiles };
    notes.push('', `Accuracy vs ε (pooled test; in-memory DP-FedAvg, C = ${dp.clipNorm}, δ = ${dp.delta}, mean ± sd over ${dp.repeats} noise draws${seeds.length > 1 ? ' and the seeds' : ''})`, sweep.table);
  }

  const rows = methodNames.map((method) => [
    method,
    ...testKeys.map((k) => fmt(mean((r) => r.scores[k]!.accuracy)[method])),
    fmt(mean((r) => r.scores.pooled!.auc)[method]),
    `${(mean((r) => r.wallTimeS)[method] ?? 0).toFixed(1)} s`,
  ]);
  const title = perSeed.length > 1 ? `Means over split seeds ${seeds.join(', ')}` : `Split seed ${seeds[0]}`;
  const table = formatTable(['method', ...testKeys.map((k) => `acc ${k}`), 'AUC pooled', 'wall time'], rows);
  return { json, text: [title, table, ...notes].join('\n') };
}

async function runSeed(
  ctx: BenchContext,
  spec: StudySpec,
  dataDir: string,
  dp: DpOptions | null,
): Promise<{ methods: Record<string, Outcome>; testKeys: string[]; dp?: DpSweep }> {
  const seed = spec.training.seed;
  const hospitals = await loadHospitalSplits(dataDir, spec);
  ctx.log(`seed ${seed}: ${hospitals.map((h) => `${h.slug} ${h.train.rowCount}+${h.test.rowCount}`).join(', ')} (train+test rows)`);
  const methods: Record<string, Outcome> = {};
  for (const hospital of hospitals) methods[`local_${hospital.slug}`] = await trainPooled(spec, hospitals, [hospital]);
  methods.centralized = await trainPooled(spec, hospitals, hospitals);
  ctx.log(`seed ${seed}: local and centralized baselines done`);
  if (!ctx.flags['skip-federated']) {
    const plainSpec = parseStudySpec({ ...spec, privacy: { ...spec.privacy, secureAggregation: 'none' } });
    for (const [method, methodSpec] of [['fedavg_plaintext', plainSpec], ['fedavg_encrypted', spec]] as const) {
      methods[method] = await runFederated(methodSpec, hospitals, {
        workDir: runDir(ctx.workDir, `${method}-seed${seed}`),
        databaseUrl: ctx.databaseUrl,
        onRound: (t) => ctx.log(`seed ${seed}: ${method}: ${t}`),
      });
    }
  }
  const testKeys = [...hospitals.map((h) => h.slug), 'pooled'];
  if (!dp) return { methods, testKeys };
  const sweep = await runDpSweep(spec, hospitals, { ...dp, log: (line) => ctx.log(`seed ${seed}: ${line}`) });
  return { methods, testKeys, dp: sweep };
}

function average(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(3);
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

interface DpOptions {
  epsilons: number[];
  clipNorm: number;
  delta: number;
  repeats: number;
}
type DpSweep = Awaited<ReturnType<typeof runDpSweep>>;

/** The sweep's settings from the flags, or null without --dp / --dp-epsilons. */
function dpOptionsOf(flags: Record<string, string | undefined>): DpOptions | null {
  if (!flags.dp && flags['dp-epsilons'] === undefined) return null;
  const positive = (name: string, value: string, check: (v: number) => boolean = (v) => v > 0 && Number.isFinite(v)): number => {
    const number = Number(value.trim());
    if (value.trim() === '' || !check(number)) throw new AppError(ErrorCode.INVALID_INPUT, `--${name}: ${JSON.stringify(value)} is not a valid value`);
    return number;
  };
  return {
    epsilons: flags['dp-epsilons'] === undefined ? DP_EPSILONS : flags['dp-epsilons'].split(',').map((v) => positive('dp-epsilons', v)),
    clipNorm: flags['dp-clip'] === undefined ? DP_CLIP_NORM : positive('dp-clip', flags['dp-clip']),
    delta: flags['dp-delta'] === undefined ? DP_DELTA : positive('dp-delta', flags['dp-delta'], (v) => v > 0 && v < 1),
    repeats: flags['dp-repeats'] === undefined ? DP_REPEATS : positive('dp-repeats', flags['dp-repeats'], (v) => Number.isInteger(v) && v >= 1),
  };
}

/** Mean and standard deviation of every setting over all runs (noise draws and seeds), as JSON rows and a table. */
function summariseDp(sweeps: DpSweep[]): { rows: Array<Record<string, unknown>>; table: string; normQuantiles: Record<string, number> } {
  const settings: DpSetting[] = sweeps[0]!.settings.map((setting, i) => ({ ...setting, runs: sweeps.flatMap((s) => s.settings[i]!.runs) }));
  const rows = settings.map((s) => {
    const accuracy = meanSd(s.runs.map((r) => r.accuracy));
    const auc = meanSd(s.runs.map((r) => r.auc).filter((v): v is number => v !== null));
    return {
      label: s.label,
      epsilon: s.epsilon,
      noiseMultiplier: round(s.noiseMultiplier, 4),
      accuracy: round(accuracy.mean, 4),
      accuracy_sd: round(accuracy.sd, 4),
      auc: round(auc.mean, 4),
      auc_sd: round(auc.sd, 4),
      runs: s.runs.length,
    };
  });
  const table = formatTable(
    ['ε', 'σ (noise multiplier)', 'accuracy', 'AUC', 'runs'],
    rows.map((r) => [r.label, r.noiseMultiplier ? r.noiseMultiplier.toFixed(2) : '0', `${r.accuracy.toFixed(3)} ± ${r.accuracy_sd.toFixed(3)}`, `${r.auc.toFixed(3)} ± ${r.auc_sd.toFixed(3)}`, String(r.runs)]),
  );
  const norms = sweeps.flatMap((s) => s.updateNorms).sort((a, b) => a - b);
  const at = (q: number) => round(norms[Math.min(norms.length - 1, Math.floor(q * norms.length))] ?? 0, 4);
  return { rows, table, normQuantiles: { p10: at(0.1), p50: at(0.5), p90: at(0.9), max: at(1) } };
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}
