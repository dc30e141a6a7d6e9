import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AppError, ErrorCode } from '@consilium/errors';
import { spawnLogged, type ChildExit, type LoggedChild } from './child-process.ts';
import { hubCliScript } from './cli-scripts.ts';
import { withLogTail } from './log-tail.ts';

export interface HubProcessOptions {
  /** The hub's data directory (PGlite database, bootstrap admin token). */
  dataDir: string;
  /** PostgreSQL connection string; without it the hub uses embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** 0 (the default) lets the system pick a free port. */
  port?: number | undefined;
  /** Where the hub's stdout and stderr (pino JSON) go. */
  logFile: string;
  /**
   * The hub's complete environment (default: empty). Nothing is inherited unless passed, so a
   * DATABASE_URL or CONSILIUM_* variable in the caller's shell cannot silently change the hub.
   */
  env?: Record<string, string> | undefined;
  /** The administrator token, when the database already has one whose file is not in `dataDir`. */
  adminToken?: string | undefined;
  /** How long to wait for the hub to listen (first start migrates the database). */
  startTimeoutMs?: number | undefined;
  /** Gives up starting (the hub is stopped; rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** A hub running as a child process. */
export interface HubProcess {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  adminToken: string;
  pid: number;
  logFile: string;
  /** SIGTERM (the hub shuts down cleanly), then waits for it to exit. */
  stop(): Promise<ChildExit>;
  /** Sends any signal, e.g. SIGKILL in fault tests. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the hub has exited, however that happened. */
  waitForExit(): Promise<ChildExit>;
  hasExited(): boolean;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;

/** The machine-readable line the hub prints on stdout once it listens. */
interface ListeningLine {
  event: 'listening';
  url: string;
  adminTokenFile: string | null;
}

/**
 * Starts `consilium-hub serve` and resolves once it listens (the `listening` line on its stdout),
 * with its URL and administrator token. A hub that exits, or does not listen in time, rejects with
 * the tail of its log, and is not left running.
 */
export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const args = ['serve', '--port', String(options.port ?? 0), '--data-dir', options.dataDir];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child = spawnLogged({ script: hubCliScript(), args, logFile: options.logFile, env: options.env ?? {}, captureStdout: true });
  try {
    const listening = await waitForListening(child, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, options.signal);
    const adminToken = options.adminToken ?? (await readAdminToken(options.dataDir, options.databaseUrl !== undefined));
    return {
      url: listening.url,
      adminToken,
      pid: child.pid,
      logFile: child.logFile,
      stop: () => child.stop(),
      kill: (signal) => child.kill(signal),
      waitForExit: () => child.exited,
      hasExited: () => child.hasExited(),
    };
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
}

function waitForListening(child: LoggedChild, timeoutMs: number, signal: AbortSignal | undefined): Promise<ListeningLine> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new AppError(ErrorCode.INTERNAL, 'The hub was started without a stdout pipe'));
  return new Promise<ListeningLine>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      cleanup();
      withLogTail(message, child.logFile).then(
        (text) => reject(new AppError(ErrorCode.UNAVAILABLE, text)),
        () => reject(new AppError(ErrorCode.UNAVAILABLE, message)),
      );
    };
    const timer = setTimeout(() => fail(`The hub did not start listening within ${Math.round(timeoutMs / 1000)} s.`), timeoutMs);
    const onExit = ({ code }: ChildExit) => fail(`The hub exited (code ${code}) before it was listening.`);
    const onAbort = () => {
      if (settled) return;
      cleanup();
      const reason: unknown = signal?.reason;
      reject(reason instanceof Error ? reason : new AppError(ErrorCode.UNAVAILABLE, 'Starting the hub was aborted'));
    };
    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      lines.off('line', onLine);
      lines.close();
    };
    function onLine(line: string): void {
      const parsed = parseListeningLine(line);
      if (!parsed || settled) return;
      cleanup();
      resolve(parsed);
    }
    lines.on('line', onLine);
    void child.exited.then(onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
}

/** The `listening` line, or null for any other line. */
export function parseListeningLine(line: string): ListeningLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.event !== 'listening' || typeof record.url !== 'string') return null;
  return { event: 'listening', url: record.url, adminTokenFile: typeof record.adminTokenFile === 'string' ? record.adminTokenFile : null };
}

async function readAdminToken(dataDir: string, postgres: boolean): Promise<string> {
  const file = path.join(dataDir, 'admin-token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token !== '') return token;
  } catch {
    // Explained below.
  }
  // The hub writes the token only on the database's first start; a database set up earlier keeps
  // its administrator, whose token is wherever that first start put it.
  throw new AppError(
    ErrorCode.UNAUTHENTICATED,
    `The hub is running but there is no administrator token in ${file}` +
      (postgres
        ? ': this PostgreSQL database was set up before, with another data directory. Pass its admin token (CONSILIUM_ADMIN_TOKEN), reuse that data directory, or use a fresh database.'
        : '.'),
  );
}
