import { createHash } from 'node:crypto';
import { canonicalJson } from '@consilium/protocol/canonical-json';
import type { AuditRecord } from './events.ts';

/** prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an event: SHA-256 over its canonical content, which includes the previous hash. */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  const content = canonicalJson({
    seq: record.seq,
    occurredAt: record.occurredAt.toISOString(),
    actor: record.actor,
    action: record.action,
    studyId: record.studyId,
    siteId: record.siteId,
    roundId: record.roundId,
    payload: record.payload,
    prevHash: record.prevHash,
  });
  return createHash('sha256').update(content).digest('hex');
}
