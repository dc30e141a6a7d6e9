import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.ts';

const run = promisify(execFile);
const POSTGRES_LIB = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's bin directory with initdb and pg_ctl, or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(POSTGRES_LIB)) return null;
  const versions = readdirSync(POSTGRES_LIB)
    .filter((v) => existsSync(path.join(POSTGRES_LIB, v, 'bin', 'initdb')) && existsSync(path.join(POSTGRES_LIB, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(POSTGRES_LIB, versions[0], 'bin') : null;
}

/** A PostgreSQL server of a test's own: stopping and starting it disturbs nobody else's tests. */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  port: number;
  /** Starts the server (pg_ctl start -w). */
  start(): Promise<void>;
  /** Stops it at once, as an operator restarting it would (pg_ctl stop -m fast -w): connections are cut. */
  stop(): Promise<void>;
  /** Stops it if running and removes its directory. Safe to call however far setup got. */
  destroy(): Promise<void>;
}

/**
 * initdb's a fresh cluster in a temporary directory and starts it on a free port of 127.0.0.1
 * (socket in that directory, trust authentication, fsync off: a throwaway). PostgreSQL refuses to
 * run as root, so as root the cluster belongs to the `postgres` OS user and its commands run
 * through `runuser -u postgres --`.
 */
export async function startPrivatePostgres(binDir: string): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'consilium-e2e-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const asRoot = process.getuid?.() === 0;
  const exec = async (command: string, args: string[], timeoutMs = 60_000) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(binDir, command), ...args]] : [path.join(binDir, command), args];
    try {
      await run(file, argv, { timeout: timeoutMs });
    } catch (error) {
      const e = error as Error & { stderr?: string; stdout?: string };
      throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
    }
  };
  let started = false;
  const handle: PrivatePostgres = {
    url: '',
    port: 0,
    async start() {
      await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-k ${dir} -p ${handle.port} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
      started = true;
    },
    async stop() {
      await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      started = false;
    },
    async destroy() {
      if (started) await handle.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], 120_000);
    handle.port = await freePort();
    handle.url = `postgres://postgres@127.0.0.1:${handle.port}/postgres`;
    await handle.start();
    return handle;
  } catch (error) {
    await handle.destroy();
    throw error;
  }
}
