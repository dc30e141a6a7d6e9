import { auditEvents, decryptionShares, submissions, type Database } from '@consilium/db';

/**
 * The two uploads a site makes for a round: its encrypted update (every participant) and, when it
 * is one of the t committee members asked to decrypt, its partial decryption.
 */
export type RoundUploadKind = 'submission' | 'decryption-share';

/** One round upload as a record: whose, for which round, and the SHA-256 of its payload. */
export interface UploadRecord {
  kind: RoundUploadKind;
  roundId: string;
  siteId: string;
  payloadHash: string;
  /** The decryption attempt (decryptor set) a decryption share was computed for. */
  attempt?: number;
}

/** What the hub recorded of a study's round uploads: the stored rows and the audit log's acceptances. */
export interface HubUploadRecords {
  stored: UploadRecord[];
  audited: UploadRecord[];
  /** Per round id, the decryptor sets the hub chose (site ids), attempt 1 first, from its audit log. */
  decryptorSets: Record<string, string[][]>;
}

const AUDIT_ACTIONS: Record<string, RoundUploadKind> = {
  'round.submission_accepted': 'submission',
  'round.decryption_share_accepted': 'decryption-share',
};

/**
 * Reads, straight from the hub's database, every submission and decryption share stored for the
 * given rounds and every acceptance of one in the audit log. Whole tables are read and filtered
 * here: a test hub's tables are small.
 */
export async function readHubUploads(db: Database, roundIds: readonly string[]): Promise<HubUploadRecords> {
  const rounds = new Set(roundIds);
  const stored: UploadRecord[] = [];
  for (const row of await db.select().from(submissions)) {
    if (rounds.has(row.roundId)) stored.push({ kind: 'submission', roundId: row.roundId, siteId: row.siteId, payloadHash: row.payloadHash });
  }
  for (const row of await db.select().from(decryptionShares)) {
    if (rounds.has(row.roundId)) stored.push({ kind: 'decryption-share', roundId: row.roundId, siteId: row.siteId, payloadHash: row.payloadHash, attempt: row.attempt });
  }
  const audited: UploadRecord[] = [];
  const decryptorSets: Record<string, string[][]> = {};
  for (const event of (await db.select().from(auditEvents)).sort((a, b) => a.seq - b.seq)) {
    if (!event.roundId || !rounds.has(event.roundId)) continue;
    if (event.action === 'round.decryptors_chosen') {
      const payload = event.payload as { attempt: number; decryptors: string[] };
      (decryptorSets[event.roundId] ??= [])[payload.attempt - 1] = payload.decryptors;
      continue;
    }
    const kind = AUDIT_ACTIONS[event.action];
    if (!kind || !event.siteId) continue;
    const payload = event.payload as { payloadHash?: unknown; attempt?: unknown };
    audited.push({
      kind,
      roundId: event.roundId,
      siteId: event.siteId,
      payloadHash: String(payload.payloadHash),
      ...(kind === 'decryption-share' ? { attempt: Number(payload.attempt) } : {}),
    });
  }
  return { stored, audited, decryptorSets };
}

/** One audit event of a round, as the hub recorded it. */
export interface RoundAuditEvent {
  action: string;
  siteId: string | null;
  payload: Record<string, unknown>;
}

/** A round's audit trail in order (opened, submissions, aggregation closed, shares, completed or failed). */
export async function readRoundAudit(db: Database, roundId: string): Promise<RoundAuditEvent[]> {
  const events = (await db.select().from(auditEvents)).filter((e) => e.roundId === roundId).sort((a, b) => a.seq - b.seq);
  return events.map((e) => ({ action: e.action, siteId: e.siteId, payload: e.payload as Record<string, unknown> }));
}
