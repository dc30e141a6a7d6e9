import path from 'node:path';
import { createDatabase, type Database } from '@consilium/db';
import { createScratchPostgres } from '@consilium/db/testing';
import { e2eEnv } from '../env.ts';

/** A database a hub under test keeps its state in. */
export interface HubDatabase {
  kind: 'pglite' | 'postgres';
  /** What the hub is started with: a PostgreSQL URL, or undefined for PGlite in its data directory. */
  url: string | undefined;
  /**
   * Runs `query` on the hub's database, to check what the hub recorded. PGlite admits one process
   * at a time: call it once the hub has stopped.
   */
  read<T>(query: (db: Database) => Promise<T>): Promise<T>;
  /** Drops the database (a PGlite database goes with its data directory). */
  drop(): Promise<void>;
}

/** One kind of hub database, and whether tests can run on it here. */
export interface HubDatabaseTarget {
  kind: HubDatabase['kind'];
  /** Why tests on this target are skipped, or null when they run. */
  skipReason: string | null;
  /** A fresh database for a hub whose data directory is `hubDataDir`. */
  create(hubDataDir: string): Promise<HubDatabase>;
}

/** Embedded PGlite always; a scratch PostgreSQL database too when DATABASE_URL names a server. */
export function hubDatabaseTargets(): HubDatabaseTarget[] {
  const base = e2eEnv.postgresUrl;
  return [
    { kind: 'pglite', skipReason: null, create: async (hubDataDir) => pglite(hubDataDir) },
    {
      kind: 'postgres',
      skipReason: base ? null : 'PostgreSQL variant skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it',
      create: () => scratchPostgres(base ?? ''),
    },
  ];
}

/** Scratch databases on the PostgreSQL server `baseUrl` names (a test's private server, say). */
export function postgresTarget(baseUrl: string): HubDatabaseTarget {
  return { kind: 'postgres', skipReason: null, create: () => scratchPostgres(baseUrl) };
}

function pglite(hubDataDir: string): HubDatabase {
  return {
    kind: 'pglite',
    url: undefined,
    async read(query) {
      // Where `consilium-hub serve` keeps PGlite inside its data directory (see the hub's createHub).
      const handle = await createDatabase({ dataDir: path.join(hubDataDir, 'pglite') });
      try {
        return await query(handle.db);
      } finally {
        await handle.close();
      }
    },
    drop: async () => undefined,
  };
}

async function scratchPostgres(baseUrl: string): Promise<HubDatabase> {
  const scratch = await createScratchPostgres(baseUrl);
  // The handle names its database only in a redacted URL: keep the caller's credentials, take its name.
  const url = new URL(baseUrl);
  url.pathname = new URL(scratch.location).pathname;
  return { kind: 'postgres', url: url.toString(), read: (query) => query(scratch.db), drop: () => scratch.close() };
}
