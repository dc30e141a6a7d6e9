import { GENESIS_HASH, hashAuditRecord, type AuditRecord } from '@consilium/audit';
import { auditEvents, auditHead, type Database } from '@consilium/db';

/**
 * Fills the audit log with `events` correctly chained events, fast: hashes are computed here with
 * the audit package's own function, a batch at a time, and each batch is one multi-row INSERT.
 * (appendAuditEvent — one transaction and a head lock per event — would take hours for 10^6.)
 * The content imitates a busy consortium: 10 studies, 20 sites, a round every 100 events, mostly
 * accepted submissions. Finally the head row is set to the last event, as appends leave it.
 */
export async function seedAuditChain(
  db: Database,
  options: { events: number; batch: number; onProgress?: (done: number) => void },
): Promise<{ seq: number; hash: string }> {
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  const studies = Array.from({ length: SEEDED_STUDIES }, (_, i) => seededStudyId(i));
  const sites = Array.from({ length: 20 }, (_, i) => fakeUuid(0x5100 + i));
  let prevHash = GENESIS_HASH;
  let seq = 0;
  while (seq < options.events) {
    const rows: AuditRecord[] = [];
    const end = Math.min(options.events, seq + options.batch);
    while (seq < end) {
      seq += 1;
      const unhashed = { ...eventContent(seq, studies, sites), seq, occurredAt: new Date(start + seq * 1000), prevHash };
      const record = { ...unhashed, hash: hashAuditRecord(unhashed) };
      rows.push(record);
      prevHash = record.hash;
    }
    await db.insert(auditEvents).values(rows);
    options.onProgress?.(seq);
  }
  const head = { seq, hash: prevHash };
  await db
    .insert(auditHead)
    .values({ id: 1, ...head })
    .onConflictDoUpdate({ target: auditHead.id, set: head });
  return head;
}

type Content = Pick<AuditRecord, 'actor' | 'action' | 'studyId' | 'siteId' | 'roundId' | 'payload'>;

function eventContent(seq: number, studies: string[], sites: string[]): Content {
  const studyId = studies[seq % studies.length]!;
  const siteId = sites[seq % sites.length]!;
  const roundId = fakeUuid(Math.floor(seq / 100));
  const hex = seq.toString(16).padStart(64, '0');
  if (seq % 100 === 0) {
    return { actor: 'hub', action: 'round.opened', studyId, siteId: null, roundId, payload: { index: seq / 100, kind: 'train', participants: sites.slice(0, 5), deadlineAt: new Date(Date.UTC(2025, 0, 2)).toISOString() } };
  }
  if (seq % 100 === 99) {
    return { actor: 'hub', action: 'round.aggregation_closed', studyId, siteId: null, roundId, payload: { submissions: 98, aggregateHash: hex, reason: 'all participants submitted' } };
  }
  return { actor: `site:${siteId}`, action: 'round.submission_accepted', studyId, siteId, roundId, payload: { payloadHash: hex, bytes: 15_000_000 + seq, submissionsSoFar: seq % 100 } };
}

/** Event seq belongs to study seq mod SEEDED_STUDIES: a study holds a tenth of the log. */
export const SEEDED_STUDIES = 10;

export function seededStudyId(index: number): string {
  return fakeUuid(0x5700 + index);
}

/** A deterministic UUID-shaped id from a number (the bench needs many, not random ones). */
function fakeUuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}
