import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** `next build` or `next start` of apps/portal, running in its own process group. */
export interface NextProcess {
  readonly pid: number;
  readonly logFile: string;
  /** The exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Next's CLI as the portal resolves it (the demo does not depend on next itself). */
export function nextCliOf(portalDir: string): string {
  return createRequire(path.join(portalDir, 'package.json')).resolve('next/dist/bin/next');
}

/** Every group still running, killed if this process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Runs `node <next> <args…>` in `cwd` with output appended to `logFile`. The process leads its own
 * group: Next forks workers (build workers, the start server), and a terminal's Ctrl-C must reach
 * this process first, which then stops the whole group, so nothing of Next outlives the demo.
 */
export function spawnNext(options: { portalDir: string; args: readonly string[]; env: Record<string, string>; logFile: string }): NextProcess {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [nextCliOf(options.portalDir), ...options.args], {
      cwd: options.portalDir,
      env: options.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  installExitHook();
  running.add(child);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => {
      if (done) return;
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
  const pid = child.pid ?? -1;
  return {
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 10_000) {
      if (!done) signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Workers of the group that outlived their parent.
      signalGroup(child, 'SIGKILL');
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) signalGroup(child, 'SIGKILL');
  });
}
