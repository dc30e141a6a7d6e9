import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';

/** How a child process ended. */
export interface ChildExit {
  /** The exit code, or 128 + the signal's number when a signal ended it (as shells report it). */
  code: number;
  signal: NodeJS.Signals | null;
}

/** A Node.js child process whose stdout and stderr go to a log file. */
export interface LoggedChild {
  readonly pid: number;
  readonly logFile: string;
  /** Stdout as a stream when `captureStdout` was set (it is then also copied to the log). */
  readonly stdout: NodeJS.ReadableStream | null;
  /** Settles once, when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Sends a signal (no-op once the process has exited). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<ChildExit>;
}

export interface SpawnLoggedOptions {
  /** The script to run with this process's own Node (process.execPath: Node 24, never a bare `node`). */
  script: string;
  args: readonly string[];
  logFile: string;
  /** The child's complete environment. */
  env: Record<string, string>;
  /** Pipe stdout to the caller (and the log) instead of writing it straight to the log. */
  captureStdout?: boolean;
}

const DEFAULT_STOP_GRACE_MS = 15_000;

/** Every child still running, so an exiting parent can take them along (see killAllOnExit). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns `node script args…` with stdout and stderr appended to `logFile`, never to the console:
 * several processes' logs must not interleave. The log is opened by the child itself (a file
 * descriptor, not a pipe through this process), so it is complete even if this process dies.
 */
export function spawnLogged(options: SpawnLoggedOptions): LoggedChild {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.script, ...options.args], {
      env: options.env,
      stdio: ['ignore', options.captureStdout ? 'pipe' : fd, fd],
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(fd);
  }
  installExitHook();
  running.add(child);

  let done = false;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', () => {
      // Spawning failed (no 'exit' follows): report it as an exit so waiters don't hang.
      if (done) return;
      done = true;
      running.delete(child);
      resolve({ code: 127, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(child);
      resolve({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), signal });
    });
  });

  if (options.captureStdout && child.stdout) {
    // stdout stays readable for the caller; a copy goes to the log for the record.
    const copy = openSync(options.logFile, 'a');
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        writeAll(copy, chunk);
      } catch {
        // The log is a convenience; losing a stdout line must not kill the orchestrator.
      }
    });
    child.stdout.once('close', () => closeSync(copy));
  }

  const kill = (signal: NodeJS.Signals): void => {
    if (!done) child.kill(signal);
  };

  return {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    stdout: child.stdout ?? null,
    exited,
    hasExited: () => done,
    kill,
    async stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      if (done) return exited;
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function writeAll(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
}

/**
 * Last resort: when this process exits (normally, on an uncaught error, or through process.exit)
 * while children still run, kill them so no hub or agent is left behind holding ports and files.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
