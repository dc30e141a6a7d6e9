import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { readLogTail } from '@consilium/demo/orchestrator';
import { inheritedEnv } from '../env.ts';

/**
 * A child process whose stdout/stderr go to a log file (several processes must not interleave on
 * the console). The hub and agents are started with the orchestrator's startHubProcess and
 * startAgentProcess (@consilium/demo/orchestrator); this is for Next.
 */
export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Every service still running: killed if the test process exits without cleaning up. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The environment children get: only what Node and Next need, plus `extra`. Nothing else is
 * inherited, so a DATABASE_URL, CONSILIUM_* or NODE_ENV=test in the test runner's environment cannot
 * change what the hub or the portal do.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const inherited = inheritedEnv();
  return {
    ...inherited,
    // This Node (24) first, for anything the child spawns by name.
    PATH: [path.dirname(process.execPath), inherited.PATH ?? '/usr/bin:/bin'].join(path.delimiter),
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

export function startService(options: {
  name: string;
  /** A script run with process.execPath (Node 24). */
  script: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  logFile: string;
}): Service {
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.script, ...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  running.add(child);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => {
      done = true;
      running.delete(child);
      resolve(127);
    });
    child.once('exit', (code) => {
      done = true;
      running.delete(child);
      resolve(code);
    });
  });
  return {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 10_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a script to completion; rejects with the log's tail when it fails. */
export async function runToCompletion(options: Parameters<typeof startService>[0] & { timeoutMs: number }): Promise<void> {
  const service = startService(options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void service.stop(2_000);
  }, options.timeoutMs);
  const code = await service.exited;
  clearTimeout(timer);
  if (timedOut) throw new Error(await withLogTail(`${options.name} did not finish within ${options.timeoutMs / 1000} s`, options.logFile));
  if (code !== 0) throw new Error(await withLogTail(`${options.name} failed (exit code ${code})`, options.logFile));
}

/** A TCP port free right now on 127.0.0.1 (for `next start -p`, a hub that must keep its port across restarts, or a port nothing listens on). */
export { freePort } from '@consilium/demo/portal-port';

/** Polls `url` until it answers 200; fails early (with the log) if the service exits. */
export async function waitForHttp(url: string, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.hasExited()) throw new Error(await withLogTail(`${service.name} exited before answering ${url}`, service.logFile));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(await withLogTail(`${service.name} did not answer ${url} within ${timeoutMs / 1000} s`, service.logFile));
}

/** `message`, then the last lines of `logFile`. */
export async function withLogTail(message: string, logFile: string, lines = 30): Promise<string> {
  const tail = (await readLogTail(logFile, lines)).split('\n').filter((l) => l !== '').map((l) => `  ${l}`).join('\n');
  return `${message}\nLast lines of ${logFile}:\n${tail || '  (empty)'}`;
}
