import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { trainCentralizedBaseline } from '../baseline/centralized-baseline.ts';
import type { DemoArgs } from '../cli/parse-args.ts';
import type { DemoEnv } from '../env.ts';
import { syntheticInputs, userInputs } from '../inputs/study-inputs.ts';
import { runLocalConsortium } from '../orchestrator/index.ts';
import { buildDemoResult, type DemoResult } from '../report/demo-result.ts';
import { formatFinalReport } from '../report/format-final-report.ts';
import { createLiveView, type ViewOutput } from '../view/live-view.ts';
import { demoWorkDir, displayPath, removeRunState } from './work-dir.ts';

export interface DemoContext {
  args: DemoArgs;
  env: DemoEnv;
  /** The hub's and agents' environment (see childProcessEnv). */
  childEnv: Record<string, string>;
  /** Where .consilium/demo/ goes. */
  repoRoot: string;
  cwd: string;
  stdout: ViewOutput;
  /** Give up after this long (default: the orchestrator's). */
  timeoutMs?: number | undefined;
}

/** How a demo run ended. */
export interface DemoOutcome {
  /** 0 when the study completed, 1 when it failed. */
  exitCode: number;
  result: DemoResult;
}

/**
 * `npm start`: prepares the study (synthetic data, or the user's spec and files, all checked
 * first), runs it as a local consortium with a live view, trains the centralized baseline, prints
 * the comparison and writes it with --out. Throws when the run itself breaks (see
 * runLocalConsortium); a study that fails is an outcome, with exit code 1.
 */
export async function runDemo(ctx: DemoContext): Promise<DemoOutcome> {
  const { args, stdout } = ctx;
  const print = (line = '') => stdout.write(`${line}\n`);
  const show = (file: string) => displayPath(file, ctx.cwd);
  const dirs = demoWorkDir(ctx.repoRoot, new Date(), { postgres: ctx.env.DATABASE_URL !== undefined });

  const inputs = args.studyPath === null ? await syntheticInputs(dirs.data, args) : await userInputs(args.studyPath, args.sites, args);
  const { spec } = inputs;
  const privacy = spec.privacy.secureAggregation === 'none' ? 'plaintext (no secure aggregation)' : 'encrypted under a multiparty CKKS key';
  print(`Consilium demo: "${spec.name}"`);
  print(`${inputs.sites.length} sites, ${spec.training.rounds} rounds, updates ${privacy}, hub database: ${ctx.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}.`);
  print(`Work directory: ${show(dirs.root)} (each process logs to ${show(dirs.logs)}/)`);
  print();

  const view = createLiveView(stdout, { title: spec.name });
  let run;
  try {
    run = await runLocalConsortium({
      spec,
      sites: inputs.sites,
      workDir: dirs.root,
      hubDataDir: dirs.hub,
      databaseUrl: ctx.env.DATABASE_URL,
      adminToken: ctx.env.CONSILIUM_ADMIN_TOKEN,
      identityKeysDir: dirs.siteKeys ?? undefined,
      env: ctx.childEnv,
      timeoutMs: ctx.timeoutMs,
      onStage: (stage) => view.stage(stage),
      onUpdate: (progress) => view.update(progress),
    });
  } finally {
    view.close();
  }
  print();

  const completed = run.progress.status === 'completed';
  let baseline = null;
  if (completed) {
    print('Training the centralized baseline on the pooled data…');
    baseline = await trainCentralizedBaseline(spec, inputs.datasets);
    print();
  }
  const result = buildDemoResult(run, spec, baseline);
  if (completed) {
    print(formatFinalReport(result, { display: show, dataDir: inputs.synthetic ? dirs.data : null }));
  } else {
    print(`The study FAILED: ${run.progress.failureReason ?? 'no reason given'}`);
    for (const round of run.progress.rounds.filter((r) => r.failureReason)) print(`  round ${round.index} (${round.kind}): ${round.failureReason}`);
    print(`Logs: ${show(dirs.logs)}`);
  }
  if (args.outPath !== null) {
    const out = path.resolve(ctx.cwd, args.outPath);
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    print(`Result written to ${show(out)}`);
  }
  // Keep everything of a failed study: its database and the agents' state explain what happened.
  if (completed && !args.keep) {
    await removeRunState(dirs);
    print(`Kept the data and logs; removed the hub database and the agents' keys (--keep keeps them).`);
  }
  return { exitCode: completed ? 0 : 1, result };
}
