import { createHash } from 'node:crypto';
import {
  adminTokens,
  auditEvents,
  auditHead,
  consortium,
  contributionClaims,
  contributionSettlements,
  dealtShares,
  decryptionShares,
  enrollmentTokens,
  evaluations,
  ledgerEntries,
  modelVersions,
  protocolViolations,
  roundChunks,
  rounds,
  sessions,
  sites,
  studies,
  studySites,
  submissionChunks,
  submissions,
  users,
  type Executor,
} from '@consilium/db';
import { canonicalJson } from '@consilium/protocol';
import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** Every table that holds the hub's state, by its SQL name. */
const STATE_TABLES: Record<string, PgTable> = {
  consortium,
  admin_tokens: adminTokens,
  sites,
  studies,
  enrollment_tokens: enrollmentTokens,
  study_sites: studySites,
  rounds,
  round_chunks: roundChunks,
  /** Rows exist only while a round is being decrypted (emptied when it completes or fails). */
  submission_chunks: submissionChunks,
  submissions,
  dealt_shares: dealtShares,
  decryption_shares: decryptionShares,
  model_versions: modelVersions,
  evaluations,
  contribution_claims: contributionClaims,
  contribution_settlements: contributionSettlements,
  ledger_entries: ledgerEntries,
  protocol_violations: protocolViolations,
  audit_events: auditEvents,
  audit_head: auditHead,
  users,
  sessions,
};

/**
 * Not state: the nonces of signed requests are remembered for replay protection whatever the
 * request then does, so a rejected request legitimately adds one.
 */
const BOOKKEEPING_TABLES = ['request_nonces', 'login_rate_limits'];

/**
 * Liveness, not state: the columns of `sites` a poll (the agent's heartbeat) updates, and a
 * session's last use, which any authenticated call may refresh.
 */
const HEARTBEAT_COLUMNS: Record<string, Set<string>> = {
  sites: new Set(['lastSeenAt', 'agentVersion', 'backend']),
  sessions: new Set(['lastSeenAt']),
};

/** Per table, "<rows> <sha256 of the rows>": equal snapshots mean no row was added, removed or changed. */
export type StateSnapshot = Record<string, string>;

/** The audit log's tables, for telling "state changed" from "an event was recorded". */
export const AUDIT_TABLES = ['audit_events', 'audit_head'] as const;

/**
 * Hashes every row of every state table. Throws if the database has a table this helper does
 * not know, so a new table cannot silently escape "nothing changed" assertions.
 */
export async function snapshotState(db: Executor): Promise<StateSnapshot> {
  const known = new Set([...Object.keys(STATE_TABLES), ...BOOKKEEPING_TABLES]);
  const unknown = (await publicTables(db)).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`snapshotState does not cover table(s) ${unknown.join(', ')}: add them to STATE_TABLES`);
  const snapshot: StateSnapshot = {};
  for (const [name, table] of Object.entries(STATE_TABLES)) {
    const rows = (await db.select().from(table)) as Array<Record<string, unknown>>;
    const lines = rows.map((row) => canonicalJson(normalize(withoutHeartbeat(name, row)))).sort();
    snapshot[name] = `${rows.length} ${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
  }
  return snapshot;
}

/** Tables whose snapshot differs. */
export function changedTables(before: StateSnapshot, after: StateSnapshot): string[] {
  return Object.keys(after).filter((name) => before[name] !== after[name]);
}

/** The names of the tables in the `public` schema. */
export async function publicTables(db: Executor): Promise<string[]> {
  const result = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  return rowsOf(result).map((row) => String(row.table_name));
}

/** The rows of a raw `execute` result (node-postgres and PGlite both put them in `rows`). */
export function rowsOf(result: unknown): Array<Record<string, unknown>> {
  const rows = (result as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new Error('unexpected raw query result: no rows');
  return rows as Array<Record<string, unknown>>;
}

function withoutHeartbeat(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const heartbeat = HEARTBEAT_COLUMNS[table];
  return heartbeat ? Object.fromEntries(Object.entries(row).filter(([key]) => !heartbeat.has(key))) : row;
}

/** Bytes as hex and dates as ISO strings, so rows serialise the same from either driver. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}
