import { randomBytes } from 'node:crypto';
import { createDatabase } from '@consilium/db';
import { postgresTestUrl } from '@consilium/db/testing';
import { sql } from 'drizzle-orm';

/** Where a hub under test keeps its data: PGlite in its data directory, or a scratch PostgreSQL database. */
export interface HubDatabaseTarget {
  kind: 'pglite' | 'postgres';
  skipReason: string | null;
  /** A fresh database for one hub: its URL (none for PGlite) and how to drop it. */
  create(): Promise<{ databaseUrl: string | undefined; drop(): Promise<void> }>;
}

/** The hub's two database kinds; PostgreSQL runs when DATABASE_URL is set (see @consilium/db/testing). */
export function hubDatabaseTargets(): HubDatabaseTarget[] {
  const base = postgresTestUrl();
  return [
    { kind: 'pglite', skipReason: null, create: async () => ({ databaseUrl: undefined, drop: async () => undefined }) },
    {
      kind: 'postgres',
      skipReason: base ? null : 'PostgreSQL tests skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them',
      create: async () => {
        // The hub migrates its database itself on start: create it empty.
        const name = `consilium_hub_test_${randomBytes(6).toString('hex')}`;
        await onServer(base!, `CREATE DATABASE ${name}`);
        const url = new URL(base!);
        url.pathname = `/${name}`;
        return { databaseUrl: url.toString(), drop: () => onServer(base!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
      },
    },
  ];
}

async function onServer(url: string, statement: string): Promise<void> {
  const handle = await createDatabase({ url, poolSize: 1 });
  try {
    await handle.db.execute(sql.raw(statement));
  } finally {
    await handle.close();
  }
}
