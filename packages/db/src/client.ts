import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { AppError, ErrorCode } from '@consilium/errors';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** A drizzle database on either driver; domain code is written against this type only. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Database | Transaction;

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: DatabaseKind;
  /** Where the data lives, for logs: a redacted URL or the PGlite directory. */
  readonly location: string;
  /** Applies the committed migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string. When absent, an embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data directory (created if missing). Ignored when `url` is set. Omit for in-memory. */
  dataDir?: string | undefined;
  /** Max connections of the PostgreSQL pool. */
  poolSize?: number;
}

const migrationsFolder = path.join(import.meta.dirname, '..', 'drizzle');

/**
 * Key of the PostgreSQL session advisory lock `migrate()` holds while it applies migrations, so
 * several hub replicas (or a `consilium-hub migrate` Job) starting at once on the same database
 * apply each migration once, one after the other. An arbitrary fixed number in the range of the
 * hub's other advisory-lock keys (4_711_000_xxx); it must never change between releases.
 */
export const MIGRATION_LOCK_KEY = 4_711_000_000;

/** Hides the password of a connection string before it reaches a log. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Opens the hub's database: PostgreSQL when a URL is given, otherwise embedded PGlite (in `dataDir`,
 * or in memory), so the hub runs with nothing installed. Call `migrate()` before use.
 */
export async function createDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AppError(ErrorCode.UNAVAILABLE, `Cannot connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = drizzlePg(pool, { schema });
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    location: redactDatabaseUrl(url),
    migrate: () => migratePostgres(pool),
    close: () => pool.end(),
  };
}

/**
 * drizzle's migrator takes no lock and reads the last applied migration outside its transaction, so
 * concurrent runs would race. Serialise them on a session advisory lock, taken and released on one
 * dedicated connection (a session lock belongs to the connection that took it).
 */
async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    locked = true;
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    let broken: Error | undefined;
    if (locked) {
      try {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      } catch (error) {
        // Don't hand a connection that may still hold the lock back to the pool.
        broken = error as Error;
      }
    }
    client.release(broken);
  }
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  let client: PGlite;
  try {
    client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  } catch (error) {
    throw new AppError(
      ErrorCode.UNAVAILABLE,
      `Cannot open the embedded database in ${dataDir ?? '(memory)'}: ${(error as Error).message}. ` +
        'Is another hub process using the same data directory?',
      { cause: error },
    );
  }
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    location: dataDir ? path.resolve(dataDir) : '(in memory)',
    // One connection, one process (the data directory is exclusive): no concurrent migrations, no lock.
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}
