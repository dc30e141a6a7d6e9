import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { trainCentralizedBaseline } from '../baseline/centralized-baseline.ts';
import type { DemoArgs } from '../cli/parse-args.ts';
import type { DemoEnv } from '../env.ts';
import { syntheticInputs, userInputs, type StudyInputs } from '../inputs/study-inputs.ts';
import { adminClientOf, runLocalConsortium, startHubProcess, type HubProcess, type LocalConsortiumResult } from '../orchestrator/index.ts';
import { abortOnInterrupt } from '../orchestrator/interrupt.ts';
import { ensureDemoAdmin } from '../portal/admin-account.ts';
import { formatLoginBlock } from '../portal/login-block.ts';
import { DEFAULT_PORTAL_PORT } from '../portal/portal-port.ts';
import { servePortal, type PortalEvent, type PortalOutcome } from '../portal/portal-server.ts';
import { buildDemoResult, type DemoResult } from '../report/demo-result.ts';
import { formatFinalReport } from '../report/format-final-report.ts';
import { formatDuration } from '../report/format-numbers.ts';
import { createLiveView, type LiveView, type ViewOutput } from '../view/live-view.ts';
import { demoWorkDir, displayPath, removeRunState, type DemoWorkDir } from './work-dir.ts';

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
 * the comparison and writes it with --out. Unless --no-portal, it also serves the portal against
 * the demo's hub (see runWithPortal) and keeps both running after the report until Ctrl-C.
 * Throws when the run itself breaks (see runLocalConsortium); a study that fails is an outcome,
 * with exit code 1.
 */
export async function runDemo(ctx: DemoContext): Promise<DemoOutcome> {
  const { args, stdout } = ctx;
  const print = (line = '') => stdout.write(`${line}\n`);
  const show = (file: string) => displayPath(file, ctx.cwd);
  const dirs = demoWorkDir(ctx.repoRoot, new Date(), { postgres: ctx.env.DATABASE_URL !== undefined, portal: args.portal });

  const inputs = args.studyPath === null ? await syntheticInputs(dirs.data, args) : await userInputs(args.studyPath, args.sites, args);
  const { spec } = inputs;
  const privacy = spec.privacy.secureAggregation === 'none' ? 'plaintext (no secure aggregation)' : 'encrypted under a multiparty CKKS key';
  print(`Consilium demo: "${spec.name}"`);
  print(`${inputs.sites.length} sites, ${spec.training.rounds} rounds, updates ${privacy}, hub database: ${ctx.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}.`);
  print(`Work directory: ${show(dirs.root)} (each process logs to ${show(dirs.logs)}/)`);
  if (args.portal) print(`The portal will be served against this hub (its database: ${show(dirs.hub)}); --no-portal runs the study alone.`);
  print();

  if (!args.portal) {
    const view = createLiveView(stdout, { title: spec.name });
    let run;
    try {
      run = await runStudy(ctx, inputs, dirs, view, {});
    } finally {
      view.close();
    }
    return report(ctx, inputs, dirs, run);
  }
  return runWithPortal(ctx, inputs, dirs);
}

/**
 * The default `npm start`: starts the hub (its database shared by every portal run, see
 * demoWorkDir), makes sure it has the demo's consortium administrator, builds the portal if needed
 * and serves it while the study runs, prints the sign-in block once the portal answers, then the
 * report, and keeps hub and portal serving until SIGINT/SIGTERM. A portal that cannot be built or
 * started is reported and the demo goes on without it (and then ends after the report).
 */
async function runWithPortal(ctx: DemoContext, inputs: StudyInputs, dirs: DemoWorkDir): Promise<DemoOutcome> {
  const { args, stdout } = ctx;
  const print = (line = '') => stdout.write(`${line}\n`);
  const show = (file: string) => displayPath(file, ctx.cwd);
  const controller = new AbortController();
  const removeSignalHandlers = abortOnInterrupt(controller);
  // A closed terminal too: Next runs in its own process group, which only this process stops.
  const onHangup = () =>
    controller.abort(new AppError(ErrorCode.UNAVAILABLE, 'Interrupted (SIGHUP): stopped the portal, the hub and the agents', { details: { interrupted: true, signal: 'SIGHUP' } }));
  process.on('SIGHUP', onHangup);
  const view = createLiveView(stdout, { title: inputs.spec.name });
  // While the study runs, messages go above the live view; afterwards the main flow prints them.
  let studyRunning = true;
  let hub: HubProcess | null = null;
  let portalTask: Promise<PortalOutcome> | null = null;
  let loginShown = false;
  let failureShown = false;
  let serving = false;
  // When the portal build started, while it runs (for the waiting line after the report).
  const build: { startedAt: number | null } = { startedAt: null };
  try {
    view.stage('starting-hub');
    const hubStarting = performance.now();
    hub = await startHubProcess({
      dataDir: dirs.hub,
      databaseUrl: ctx.env.DATABASE_URL,
      adminToken: ctx.env.CONSILIUM_ADMIN_TOKEN,
      logFile: path.join(dirs.logs, 'hub.log'),
      env: ctx.childEnv,
      signal: controller.signal,
    });
    const hubStartMs = performance.now() - hubStarting;
    const account = await ensureDemoAdmin(adminClientOf(hub));
    const loginBlock = (url: string) => formatLoginBlock({ url, account, hubDataDir: show(dirs.hub), studyName: inputs.spec.name });

    const onEvent = (event: PortalEvent) => {
      const message = portalEventMessage(event, show);
      if (event.kind === 'build-started') {
        build.startedAt = event.startedAt;
        view.footer(() => `Building the portal (next build) in the background… ${formatElapsed(performance.now() - event.startedAt)}`);
      }
      if (event.kind === 'build-finished') {
        build.startedAt = null;
        view.footer(null);
      }
      if (studyRunning) view.notice(message);
      // Over the waiting line (see waitWithProgress), which is drawn again below.
      else print(`${stdout.isTTY ? '\r\x1b[2K' : ''}${message}`);
    };
    portalTask = servePortal({
      repoRoot: ctx.repoRoot,
      logsDir: dirs.logs,
      hubUrl: hub.url,
      port: args.portalPort ?? ctx.env.CONSILIUM_PORTAL_PORT ?? DEFAULT_PORTAL_PORT,
      rebuild: args.rebuildPortal,
      env: ctx.childEnv,
      signal: controller.signal,
      display: show,
      onEvent,
    });
    void portalTask.then((outcome) => {
      build.startedAt = null;
      view.footer(null);
      if (!studyRunning) return;
      if (outcome.ok) {
        view.notice(`${loginBlock(outcome.portal.url)}\nThe portal is up (first answer after ${formatDuration(outcome.portal.readyMs)}); the study goes on below.`);
        loginShown = true;
      } else if (!controller.signal.aborted) {
        view.notice(`${outcome.reason}\nThe demo goes on without the portal.`);
        failureShown = true;
      }
    });

    let run;
    try {
      run = await runStudy(ctx, inputs, dirs, view, { hub, signal: controller.signal });
    } finally {
      studyRunning = false;
      view.close();
    }
    // The hub was started here, before the run: count its start as runLocalConsortium would.
    run = { ...run, wallMs: run.wallMs + hubStartMs, phasesMs: { ...run.phasesMs, hubStart: hubStartMs } };
    const outcome = await report(ctx, inputs, dirs, run);
    print();

    const since = build.startedAt;
    const portal =
      since === null
        ? await portalTask
        : await waitWithProgress(stdout, portalTask, () =>
            build.startedAt === null ? 'Starting the portal (next start)…' : `Waiting for the portal build (next build)… ${formatElapsed(performance.now() - since)}`,
          );
    if (controller.signal.aborted) return outcome;
    if (!portal.ok) {
      if (!failureShown) print(`${portal.reason}\n`);
      print(`The portal is not available, so the demo ends here (the study is kept in the hub database, ${show(dirs.hub)}).`);
      return outcome;
    }
    if (!loginShown) print(`${loginBlock(portal.portal.url)}\n`);
    serving = true;
    print(`Portal ${loginShown ? 'still ' : ''}serving at ${portal.portal.url}${loginShown ? ' (sign-in above)' : ''} — press Ctrl-C to stop.`);
    const runningHub = hub;
    const ended = await Promise.race([
      aborted(controller.signal).then(() => null),
      portal.portal.process.exited.then((code) => `The portal exited by itself (code ${code}); see ${show(portal.portal.process.logFile)}.`),
      runningHub.waitForExit().then(({ code }) => `The hub exited by itself (code ${code}); see ${show(runningHub.logFile)}.`),
    ]);
    print();
    if (ended !== null && !controller.signal.aborted) print(ended);
    print('Stopping the portal and the hub…');
    return outcome;
  } finally {
    studyRunning = false;
    view.close();
    // Whatever still runs of the portal (a build, a server) stops with the demo.
    if (!controller.signal.aborted) controller.abort(new AppError(ErrorCode.UNAVAILABLE, 'The demo is stopping'));
    const portal = await portalTask;
    if (portal?.ok) await portal.portal.process.stop();
    if (hub) await hub.stop();
    removeSignalHandlers();
    process.off('SIGHUP', onHangup);
    if (serving) print('Stopped.');
  }
}

/** Runs the study as a local consortium, drawn by `view`. */
async function runStudy(
  ctx: DemoContext,
  inputs: StudyInputs,
  dirs: DemoWorkDir,
  view: LiveView,
  options: { hub?: HubProcess; signal?: AbortSignal },
): Promise<LocalConsortiumResult> {
  return runLocalConsortium({
    spec: inputs.spec,
    sites: inputs.sites,
    workDir: dirs.root,
    hubDataDir: dirs.hub,
    hub: options.hub,
    databaseUrl: ctx.env.DATABASE_URL,
    adminToken: ctx.env.CONSILIUM_ADMIN_TOKEN,
    identityKeysDir: dirs.siteKeys ?? undefined,
    env: ctx.childEnv,
    timeoutMs: ctx.timeoutMs,
    signal: options.signal,
    // With a signal of its own, the caller turns Ctrl-C into an abort of it.
    handleSignals: options.signal === undefined,
    onStage: (stage) => view.stage(stage),
    onUpdate: (progress) => view.update(progress),
  });
}

/** The baseline, the comparison (or why the study failed), --out, and the cleanup of run state. */
async function report(ctx: DemoContext, inputs: StudyInputs, dirs: DemoWorkDir, run: LocalConsortiumResult): Promise<DemoOutcome> {
  const { args, stdout } = ctx;
  const { spec } = inputs;
  const print = (line = '') => stdout.write(`${line}\n`);
  const show = (file: string) => displayPath(file, ctx.cwd);
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
    print(
      dirs.sharedHub
        ? `Kept the data and logs; removed the agents' keys (--keep keeps them). The hub database is kept in ${show(dirs.hub)}.`
        : `Kept the data and logs; removed the hub database and the agents' keys (--keep keeps them).`,
    );
  }
  return { exitCode: completed ? 0 : 1, result };
}

/** What to tell the user about the portal's progress. */
export function portalEventMessage(event: PortalEvent, show: (file: string) => string): string {
  switch (event.kind) {
    case 'build-started':
      return `Building the portal (next build: ${event.reason}); it takes a few minutes, while the study runs. Log: ${show(event.logFile)}`;
    case 'build-finished':
      return `Portal built in ${formatDuration(event.ms)}.`;
    case 'build-skipped':
      return `Starting the portal (${event.reason}; --rebuild-portal rebuilds it).`;
    case 'port-taken':
      return `Port ${event.wanted} is taken: the portal uses port ${event.port} instead.`;
  }
}

/** "42 s", "1 min 05 s": whole seconds, for a line that ticks. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Awaits `task`, with a line that ticks each second on a terminal (printed once elsewhere). */
async function waitWithProgress<T>(output: ViewOutput, task: Promise<T>, line: () => string): Promise<T> {
  if (!output.isTTY) {
    output.write(`${line()}\n`);
    return task;
  }
  const tick = () => output.write(`\r\x1b[2K${line()}`);
  tick();
  const timer = setInterval(tick, 1000);
  try {
    return await task;
  } finally {
    clearInterval(timer);
    output.write('\r\x1b[2K');
  }
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
