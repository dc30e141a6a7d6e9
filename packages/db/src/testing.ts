/**
 * Test support: every database test runs against embedded PGlite and, when `DATABASE_URL` points at
 * a PostgreSQL server, against PostgreSQL too — each test database is fresh and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, redactDatabaseUrl, type DatabaseHandle, type DatabaseKind } from './client.ts';

export interface TestDatabaseTarget {
  kind: DatabaseKind;
  /** Why the target is skipped, or null when it runs. */
  skipReason: string | null;
  /** A fresh, migrated database; `close()` drops it. */
  create(): Promise<DatabaseHandle>;
}

/** The PostgreSQL URL tests use (test tooling is allowed to read the environment). */
export function postgresTestUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export function testDatabaseTargets(): TestDatabaseTarget[] {
  const url = postgresTestUrl();
  return [
    {
      kind: 'pglite',
      skipReason: null,
      create: async () => {
        const handle = await createDatabase({});
        await handle.migrate();
        return handle;
      },
    },
    {
      kind: 'postgres',
      skipReason: url ? null : 'PostgreSQL tests skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them',
      create: () => createScratchPostgres(url ?? ''),
    },
  ];
}

/**
 * Creates a throwaway PostgreSQL database next to the one `baseUrl` names, migrated unless
 * `migrate: false`; close() drops it.
 */
export async function createScratchPostgres(baseUrl: string, options: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  const name = `consilium_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ url: url.toString(), poolSize: 5 });
  if (options.migrate !== false) await handle.migrate();
  return {
    ...handle,
    location: redactDatabaseUrl(url.toString()),
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
