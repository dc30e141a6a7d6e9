import path from 'node:path';
import { withLogTail } from '../orchestrator/log-tail.ts';
import { decidePortalBuild, readPortalBuildState } from './portal-build.ts';
import { choosePortalPort } from './portal-port.ts';
import { spawnNext, type NextProcess } from './next-process.ts';

/** What happens while the portal gets ready, for the demo to tell the user. */
export type PortalEvent =
  | { kind: 'build-started'; reason: string; logFile: string; startedAt: number }
  | { kind: 'build-skipped'; reason: string }
  | { kind: 'build-finished'; ms: number }
  | { kind: 'port-taken'; wanted: number; port: number };

export interface ServePortalOptions {
  repoRoot: string;
  /** Where portal-build.log and portal.log go. */
  logsDir: string;
  /** The hub the portal talks to (CONSILIUM_HUB_URL). */
  hubUrl: string;
  port: number;
  /** Build even when the last build looks up to date. */
  rebuild: boolean;
  /** The environment Next runs with (CONSILIUM_HUB_URL and NODE_ENV are set here). */
  env: Record<string, string>;
  /** Stops building or starting (whatever runs is stopped). */
  signal: AbortSignal;
  onEvent: (event: PortalEvent) => void;
  /** Paths as shown to the user. */
  display: (file: string) => string;
  buildTimeoutMs?: number | undefined;
  startTimeoutMs?: number | undefined;
}

export interface RunningPortal {
  url: string;
  process: NextProcess;
  /** From asking for the portal to its first answer. */
  readyMs: number;
}

/** The portal is up, or why it is not (with the end of the relevant log). */
export type PortalOutcome = { ok: true; portal: RunningPortal } | { ok: false; reason: string };

const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;

/**
 * Builds apps/portal when needed (`next build`), then serves it (`next start` on 127.0.0.1) against
 * the hub, and resolves once it answers. Never rejects: a failed build or start resolves with the
 * reason, so the demo can go on without the portal. Aborting stops whatever runs.
 */
export async function servePortal(options: ServePortalOptions): Promise<PortalOutcome> {
  const started = performance.now();
  const portalDir = path.join(options.repoRoot, 'apps', 'portal');
  // This Node (24) first on PATH, for anything Next spawns by name; NODE_ENV is Next's to set.
  const { NODE_ENV: _nodeEnv, ...inherited } = options.env;
  const env: Record<string, string> = { ...inherited, NEXT_TELEMETRY_DISABLED: '1', PATH: [path.dirname(process.execPath), options.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter) };
  const running: { current: NextProcess | null } = { current: null };
  const onAbort = () => void running.current?.stop(2_000);
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const decision = decidePortalBuild(await readPortalBuildState(options.repoRoot), { force: options.rebuild, display: options.display });
    if (decision.build) {
      const logFile = path.join(options.logsDir, 'portal-build.log');
      const buildStarted = performance.now();
      options.onEvent({ kind: 'build-started', reason: decision.reason, logFile, startedAt: buildStarted });
      if (options.signal.aborted) return { ok: false, reason: 'Stopped' };
      const build = spawnNext({ portalDir, args: ['build'], env, logFile });
      running.current = build;
      const timeoutMs = options.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        void build.stop(2_000);
      }, timeoutMs);
      const code = await build.exited;
      clearTimeout(timer);
      running.current = null;
      if (options.signal.aborted) return { ok: false, reason: 'Stopped' };
      if (code !== 0) {
        const what = timedOut ? `The portal build (next build) did not finish within ${Math.round(timeoutMs / 60_000)} min.` : `The portal build (next build) failed (exit code ${code}).`;
        return { ok: false, reason: await withLogTail(what, logFile, 20) };
      }
      options.onEvent({ kind: 'build-finished', ms: performance.now() - buildStarted });
    } else {
      options.onEvent({ kind: 'build-skipped', reason: decision.reason });
    }

    const choice = await choosePortalPort(options.port);
    if (choice.taken !== null) options.onEvent({ kind: 'port-taken', wanted: choice.taken, port: choice.port });
    if (options.signal.aborted) return { ok: false, reason: 'Stopped' };
    const logFile = path.join(options.logsDir, 'portal.log');
    const server = spawnNext({
      portalDir,
      args: ['start', '--port', String(choice.port), '--hostname', '127.0.0.1'],
      env: { ...env, NODE_ENV: 'production', CONSILIUM_HUB_URL: options.hubUrl },
      logFile,
    });
    running.current = server;
    const url = `http://127.0.0.1:${choice.port}`;
    const problem = await waitForHttp(`${url}/api/health`, server, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, options.signal);
    if (problem !== null) {
      await server.stop(2_000);
      return { ok: false, reason: options.signal.aborted ? 'Stopped' : await withLogTail(problem, logFile, 20) };
    }
    return { ok: true, portal: { url, process: server, readyMs: performance.now() - started } };
  } catch (error) {
    await running.current?.stop(2_000);
    return { ok: false, reason: `The portal could not be started: ${(error as Error).message}` };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** Polls `url` until it answers 200: null then, else what went wrong. */
async function waitForHttp(url: string, server: NextProcess, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal.aborted) return 'Stopped';
    if (server.hasExited()) return `The portal (next start) exited before answering ${url}.`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return null;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return `The portal (next start) did not answer ${url} within ${Math.round(timeoutMs / 1000)} s.`;
}
