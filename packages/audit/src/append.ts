import { AppError, ErrorCode } from '@consilium/errors';
import { auditEvents, auditHead, type Executor } from '@consilium/db';
import { eq } from 'drizzle-orm';
import { auditPayloads, type AuditEventInput, type AuditRecord } from './events.ts';
import { GENESIS_HASH, hashAuditRecord } from './hash.ts';

/**
 * Appends an event to the chain inside the caller's transaction, so the event exists if and only if
 * the change it records was committed. The head row is locked (`FOR UPDATE`) for the rest of the
 * transaction: appends are serialised and the chain has one order and no gaps.
 */
export async function appendAuditEvent(tx: Executor, event: AuditEventInput, now: Date = new Date()): Promise<AuditRecord> {
  const schema = auditPayloads[event.action];
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) {
    throw new AppError(ErrorCode.INTERNAL, `Audit payload for ${event.action} is invalid: ${parsed.error.message}`);
  }
  // Make sure the head exists (first event ever), then lock it.
  await tx.insert(auditHead).values({ id: 1, seq: 0, hash: GENESIS_HASH }).onConflictDoNothing();
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
  if (!head) throw new AppError(ErrorCode.INTERNAL, 'Audit head row is missing');

  // Millisecond precision: what JavaScript and the hash can represent exactly.
  const occurredAt = new Date(Math.floor(now.getTime()));
  const unhashed = {
    seq: head.seq + 1,
    occurredAt,
    actor: event.actor,
    action: event.action,
    studyId: event.studyId ?? null,
    siteId: event.siteId ?? null,
    roundId: event.roundId ?? null,
    payload: parsed.data as unknown,
    prevHash: head.hash,
  };
  const record: AuditRecord = { ...unhashed, hash: hashAuditRecord(unhashed) };
  await tx.insert(auditEvents).values(record);
  await tx.update(auditHead).set({ seq: record.seq, hash: record.hash, updatedAt: occurredAt }).where(eq(auditHead.id, 1));
  return record;
}
