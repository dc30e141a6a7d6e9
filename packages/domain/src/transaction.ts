import { appendAuditEvent, type AuditEventInput } from '@consilium/audit';
import type { Database, Transaction } from '@consilium/db';

/** Audit events recorded during a transaction; written at its end, in order, before commit. */
export interface AuditTrail {
  record(event: AuditEventInput): void;
}

/**
 * Runs `work` in a transaction and appends its audit events at the end of that same transaction:
 * the change and its record commit together or not at all. The audit head is locked last, after
 * every other row the transaction touches, so lock order is always the same (no deadlocks).
 */
export async function inTransaction<T>(db: Database, now: () => Date, work: (tx: Transaction, audit: AuditTrail) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const events: AuditEventInput[] = [];
    const result = await work(tx, { record: (event) => events.push(event) });
    const at = now();
    for (const event of events) await appendAuditEvent(tx, event, at);
    return result;
  });
}
