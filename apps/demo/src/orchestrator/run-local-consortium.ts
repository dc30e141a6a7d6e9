import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { parseStudySpec, type StudySpec, type StudySpecInput } from '@consilium/schemas';
import { startAgentProcess, type AgentProcess } from './agent-process.ts';
import { createStudy } from './create-study.ts';
import { adminClientOf, downloadModelParameters } from './hub-client.ts';
import { startHubProcess, type HubProcess } from './hub-process.ts';
import { abortOnInterrupt } from './interrupt.ts';
import { withLogTail } from './log-tail.ts';
import { roundTimesMs } from './round-timings.ts';
import { siteSlugs } from './site-directories.ts';
import { SiteIdentities } from './site-identities.ts';
import { latestModel } from './study-progress.ts';
import type { StudyProgress } from './study-progress.ts';
import { readTransferLog, siteUploads, type SiteUploads } from './transfer-logs.ts';
import { watchStudy } from './watch-study.ts';

/** A site of a local consortium: its name and its data file. */
export interface LocalSite {
  name: string;
  dataPath: string;
}

/** Where a run has got to, for a view to show while there is no study progress yet. */
export type ConsortiumStage = 'starting-hub' | 'creating-study' | 'enrolling-sites' | 'running' | 'stopping';

export interface LocalConsortiumOptions {
  spec: StudySpec | StudySpecInput;
  sites: readonly LocalSite[];
  /** Everything the run writes: hub/, agents/<site>/, logs/. */
  workDir: string;
  /** PostgreSQL for the hub; default embedded PGlite in workDir/hub. */
  databaseUrl?: string | undefined;
  /** The hub's data directory (default workDir/hub). */
  hubDataDir?: string | undefined;
  /**
   * A hub already running, started (and later stopped) by the caller, e.g. one that outlives the
   * run to keep serving a portal. Used instead of starting one; left running at the end.
   */
  hub?: HubProcess | undefined;
  /** Administrator token of a PostgreSQL database set up before (see startHubProcess). */
  adminToken?: string | undefined;
  /**
   * Keep the sites' identity keys here across runs (default: each run's sites get new keys). Needed
   * when the hub's database outlives the run: it refuses a known site name with a new key.
   */
  identityKeysDir?: string | undefined;
  /** Called with every progress read while the study runs. */
  onUpdate?: ((progress: StudyProgress) => void) | undefined;
  /** Called when the run moves on to a new stage. */
  onStage?: ((stage: ConsortiumStage) => void) | undefined;
  /** Give up (and clean up) after this long in all (default 10 minutes). */
  timeoutMs?: number | undefined;
  /** How often progress is read (default 500 ms). */
  pollMs?: number | undefined;
  /** How often agents ask the hub for work (default 500 ms: rounds move on sooner than at the agent's 1 s). */
  agentPollMs?: number | undefined;
  /** The child processes' environment (default: empty, so the caller's shell cannot change them). */
  env?: Record<string, string> | undefined;
  /** Aborts the run (processes are still cleaned up). */
  signal?: AbortSignal | undefined;
  /** Turn SIGINT/SIGTERM into a clean abort while the run lasts (default true). */
  handleSignals?: boolean | undefined;
}

/** How long each part of a run took, in milliseconds. */
export interface ConsortiumPhases {
  hubStart: number;
  /** Creating the study and enrolling every site. */
  enrolment: number;
  /** From the last enrolment to the final evaluations. */
  study: number;
}

export interface LocalConsortiumResult {
  studyId: string;
  hubUrl: string;
  /** The study's final progress: `status` says whether it completed or failed (and why). */
  progress: StudyProgress;
  /** From starting the hub to the final evaluations (cleanup excluded). */
  wallMs: number;
  phasesMs: ConsortiumPhases;
  /** Per round index (0 = statistics round), opened → completed on the hub; null if it never completed. */
  roundTimesMs: Array<number | null>;
  /** Per site name, bytes uploaded per round index (its update plus its decryption share). */
  uploadedBytesPerSitePerRound: Record<string, number[]>;
  /** Per site name, all of its uploads, from its own transfer log. */
  uploads: Record<string, SiteUploads>;
  /** The last global model with its parameters (null when the study produced none). */
  finalModel: { id: string; version: number; parameters: Float32Array } | null;
  workDir: string;
  logsDir: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_AGENT_POLL_MS = 500;
/** How long agents get to notice the study is over and exit by themselves before being stopped. */
const AGENT_EXIT_GRACE_MS = 20_000;

/**
 * Runs a whole consortium on this machine, as separate processes over HTTP on loopback: starts a
 * hub, creates the study, enrols one agent per site, waits until the study has completed (with
 * every site's evaluation of the final model) or failed, and collects timings and upload sizes.
 * Processes are always stopped on the way out: on success, on error, on timeout and on Ctrl-C.
 * Each process logs to its own file under workDir/logs; nothing is written to the console.
 *
 * Resolves with a failed study too (see `progress.status`); rejects when the run itself breaks: a
 * process that dies, a hub that stops answering, the timeout, an interruption.
 */
export async function runLocalConsortium(options: LocalConsortiumOptions): Promise<LocalConsortiumResult> {
  const spec = parseStudySpec(options.spec);
  if (options.sites.length === 0) throw new AppError(ErrorCode.INVALID_INPUT, 'A consortium needs at least one site');
  const started = performance.now();
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const workDir = path.resolve(options.workDir);
  const logsDir = path.join(workDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  const env = options.env ?? {};

  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  if (options.signal?.aborted) forward();
  const removeSignalHandlers = options.handleSignals === false ? () => undefined : abortOnInterrupt(controller);

  let hub: HubProcess | null = null;
  const agents: AgentProcess[] = [];
  let stopping = false;
  // A process that ends while the study runs ends the run, with its own last words.
  const abortWith = (message: string, logFile: string) => {
    if (stopping || controller.signal.aborted) return;
    void withLogTail(message, logFile, 15).then((text) => controller.abort(new AppError(ErrorCode.UNAVAILABLE, text)));
  };

  try {
    options.onStage?.('starting-hub');
    hub =
      options.hub ??
      (await startHubProcess({
        dataDir: options.hubDataDir ?? path.join(workDir, 'hub'),
        databaseUrl: options.databaseUrl,
        adminToken: options.adminToken,
        logFile: path.join(logsDir, 'hub.log'),
        env,
        signal: controller.signal,
      }));
    const runningHub = hub;
    void hub.waitForExit().then(({ code }) => abortWith(`The hub exited unexpectedly (code ${code}).`, runningHub.logFile));
    controller.signal.throwIfAborted();
    const hubStarted = performance.now();

    options.onStage?.('creating-study');
    const names = options.sites.map((s) => s.name);
    const { studyId, tokens } = await createStudy(hub, spec, names);
    controller.signal.throwIfAborted();

    options.onStage?.('enrolling-sites');
    const agentDirs = siteSlugs(names).map((slug) => ({ slug, dir: path.join(workDir, 'agents', slug) }));
    const identities = options.identityKeysDir ? new SiteIdentities(options.identityKeysDir) : null;
    if (identities) for (const { slug, dir } of agentDirs) await identities.restore(slug, dir);
    const starts = await Promise.allSettled(
      options.sites.map((site, i) =>
        startAgentProcess({
          hubUrl: runningHub.url,
          dir: agentDirs[i]!.dir,
          name: site.name,
          dataPath: path.resolve(site.dataPath),
          token: tokens[site.name],
          logFile: path.join(logsDir, `agent-${agentDirs[i]!.slug}.log`),
          untilDone: true,
          pollMs: options.agentPollMs ?? DEFAULT_AGENT_POLL_MS,
          env,
          signal: controller.signal,
        }),
      ),
    );
    for (const start of starts) if (start.status === 'fulfilled') agents.push(start.value);
    const failedStart = starts.find((s) => s.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    if (identities) for (const { slug, dir } of agentDirs) await identities.keep(slug, dir);
    for (const agent of agents) {
      void agent.exited.then((code) => {
        if (code !== 0) abortWith(`The agent of site "${agent.name}" exited with code ${code} before the study finished.`, agent.logFile);
      });
    }
    const client = adminClientOf(hub);
    if (!spec.federation.autoStart) await client.studies.start.mutate({ studyId });
    controller.signal.throwIfAborted();
    const enrolled = performance.now();

    options.onStage?.('running');
    const progress = await watchStudy(client, studyId, {
      onUpdate: options.onUpdate,
      pollMs: options.pollMs,
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      signal: controller.signal,
    });
    const finished = performance.now();
    const last = latestModel(progress);
    const finalModel = last ? { id: last.id, version: last.version, parameters: await downloadModelParameters(hub, last.id) } : null;

    stopping = true;
    await waitForAll(agents.map((a) => a.exited), AGENT_EXIT_GRACE_MS);
    const uploads: Record<string, SiteUploads> = {};
    for (const [i, site] of options.sites.entries()) uploads[site.name] = siteUploads(await readTransferLog(agentDirs[i]!.dir), progress);
    return {
      studyId,
      hubUrl: hub.url,
      progress,
      wallMs: finished - started,
      phasesMs: { hubStart: hubStarted - started, enrolment: enrolled - hubStarted, study: finished - enrolled },
      roundTimesMs: roundTimesMs(progress),
      uploadedBytesPerSitePerRound: Object.fromEntries(Object.entries(uploads).map(([name, u]) => [name, u.perRound])),
      uploads,
      finalModel,
      workDir,
      logsDir,
    };
  } catch (error) {
    // Once the run is aborted, what failed next (an enrolment cut off, a refused request) is a
    // consequence: report the cause — the interruption, the process that died.
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    stopping = true;
    options.onStage?.('stopping');
    await Promise.all(agents.map((a) => a.stop()));
    if (hub && hub !== options.hub) await hub.stop();
    removeSignalHandlers();
    options.signal?.removeEventListener('abort', forward);
  }
}

/** Waits for every promise, or until `ms` has passed, whichever comes first. */
async function waitForAll(promises: ReadonlyArray<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(promises), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
