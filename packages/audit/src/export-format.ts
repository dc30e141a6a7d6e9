import { canonicalJson } from '@consilium/protocol/canonical-json';
import { z } from 'zod';
import type { AuditRecord } from './events.ts';

/**
 * How one audit event is written to an export, and read back. Both formats carry every field the
 * event's hash covers (see hash.ts) plus the hash itself, so each event can be re-hashed offline
 * from the export alone. Values are exported verbatim — no spreadsheet-formula escaping — because
 * changing a single character would break the hash; open a CSV export as text.
 */
export const AUDIT_EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The columns, in order: the CSV header and the NDJSON keys. Named as in the audit_events table. */
export const AUDIT_EXPORT_COLUMNS = ['seq', 'occurred_at', 'actor', 'action', 'study_id', 'site_id', 'round_id', 'payload', 'prev_hash', 'hash'] as const;

/** RFC 4180 records end in CRLF. */
const CRLF = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field per RFC 4180: quoted (with inner quotes doubled) only when it has to be. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The first line of a CSV export. NDJSON has no header: every line names its fields. */
export function exportHeader(format: AuditExportFormat): string {
  return format === 'csv' ? AUDIT_EXPORT_COLUMNS.join(',') + CRLF : '';
}

/**
 * One event as a CSV record or an NDJSON line. The payload is canonical JSON (sorted keys) in both,
 * so the same event always exports to the same bytes. A null id is an empty CSV field: ids are
 * UUIDs, never empty, so that is unambiguous.
 */
export function formatExportRecord(format: AuditExportFormat, r: AuditRecord): string {
  const payload = canonicalJson(r.payload);
  const time = r.occurredAt.toISOString();
  if (format === 'csv') {
    const fields = [String(r.seq), time, csvField(r.actor), csvField(r.action), r.studyId ?? '', r.siteId ?? '', r.roundId ?? '', csvField(payload), r.prevHash, r.hash];
    return fields.join(',') + CRLF;
  }
  // Keys in column order (not sorted) so that a person reading the file sees seq first.
  const json = (v: string | null) => JSON.stringify(v);
  return `{"seq":${r.seq},"occurred_at":${json(time)},"actor":${json(r.actor)},"action":${json(r.action)},"study_id":${json(r.studyId)},"site_id":${json(r.siteId)},"round_id":${json(r.roundId)},"payload":${payload},"prev_hash":${json(r.prevHash)},"hash":${json(r.hash)}}\n`;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
/** Exactly what `toISOString()` writes, so that re-hashing uses the very string that was hashed. */
const isoTime = z.string().refine((s) => {
  const t = Date.parse(s);
  return Number.isFinite(t) && new Date(t).toISOString() === s;
}, 'expected an ISO 8601 UTC time as written by the export (YYYY-MM-DDTHH:mm:ss.sssZ)');
const id = z.string().min(1).nullable();

/** An exported event as read back from either format, before it is re-hashed. */
const ExportedEvent = z.strictObject({
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  occurred_at: isoTime,
  actor: z.string(),
  action: z.string(),
  study_id: id,
  site_id: id,
  round_id: id,
  payload: z.unknown().refine((v) => v !== undefined, 'payload is missing'),
  prev_hash: hex64,
  hash: hex64,
});

/** The seq of a row that may not validate, to name it in a report; null when it has none. */
export function seqOf(row: unknown): number | null {
  const seq = (row as { seq?: unknown } | null)?.seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null;
}

/** Turns a parsed row into an AuditRecord, or returns why it is malformed. */
export function toAuditRecord(row: unknown): AuditRecord | string {
  const result = ExportedEvent.safeParse(row);
  if (!result.success) return `malformed event: ${result.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ')}`;
  const e = result.data;
  return {
    seq: e.seq,
    occurredAt: new Date(e.occurred_at),
    actor: e.actor,
    action: e.action,
    studyId: e.study_id,
    siteId: e.site_id,
    roundId: e.round_id,
    payload: e.payload,
    prevHash: e.prev_hash,
    hash: e.hash,
  };
}

/**
 * A CSV record's fields as the row `toAuditRecord` takes, or why they cannot be. seq must be plain
 * decimal digits (Number() would also take "1e3" or " 7") and the payload JSON.
 */
export function csvFieldsToRow(fields: readonly string[]): Record<string, unknown> | string {
  if (fields.length !== AUDIT_EXPORT_COLUMNS.length) return `malformed event: ${fields.length} fields, expected ${AUDIT_EXPORT_COLUMNS.length}`;
  const [seq, occurredAt, actor, action, studyId, siteId, roundId, payload, prevHash, hash] = fields as [string, string, string, string, string, string, string, string, string, string];
  if (!/^[1-9][0-9]*$/.test(seq)) return `malformed event: seq "${seq.slice(0, 40)}" is not a positive decimal integer`;
  let parsedPayload: unknown;
  try {
    parsedPayload = JSON.parse(payload);
  } catch {
    return 'malformed event: payload is not valid JSON';
  }
  const nullable = (v: string) => (v === '' ? null : v);
  return {
    seq: Number(seq),
    occurred_at: occurredAt,
    actor,
    action,
    study_id: nullable(studyId),
    site_id: nullable(siteId),
    round_id: nullable(roundId),
    payload: parsedPayload,
    prev_hash: prevHash,
    hash,
  };
}
