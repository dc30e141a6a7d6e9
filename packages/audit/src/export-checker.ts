import type { AuditRecord } from './events.ts';
import { isFiltered, matchesFilter } from './export-filter.ts';
import { seqOf, toAuditRecord } from './export-format.ts';
import type { ExportRow } from './export-rows.ts';
import { GENESIS_HASH, hashAuditRecord } from './hash.ts';
import type { AuditExportManifest } from './manifest.ts';
import { AuditChainVerifier } from './chain-verifier.ts';

/** The first event of an export that does not verify. */
export interface BadExportEvent {
  /** Its sequence number; null when it has none that can be read (or the problem is after the last event). */
  seq: number | null;
  /** Line of the export where it starts; null when no line is at fault (a missing tail). */
  line: number | null;
  reason: string;
}

/**
 * Checks an export's events one by one, in file order, against the manifest:
 *
 * - every export: each event is well formed, its hash recomputes from its own content (hash.ts),
 *   its seq is above the previous event's and at most the chain head the manifest records;
 * - a complete (unfiltered) export is the chain itself: seqs run 1, 2, 3… with no gap, each
 *   prev_hash is the previous event's hash (genesis for the first), and the last event is the
 *   recorded chain head — AuditChainVerifier, the same check as on the live database;
 * - a filtered export is a selection, so there are gaps by design and links cannot be followed
 *   across them; where two exported events are adjacent (seq n and n+1) the link is still checked,
 *   and every event must match the manifest's filter.
 *
 * What a filtered export cannot show event by event (a removed line leaves a valid-looking
 * selection) is caught by the signed manifest's count, first/last event and file digest.
 */
export class ExportEventChecker {
  readonly #manifest: AuditExportManifest;
  readonly #filtered: boolean;
  readonly #chain: AuditChainVerifier;
  #previous: AuditRecord | null = null;
  #first: AuditRecord | null = null;
  #count = 0;
  #bad: BadExportEvent | null = null;

  constructor(manifest: AuditExportManifest) {
    this.#manifest = manifest;
    this.#filtered = isFiltered(manifest.filter);
    this.#chain = new AuditChainVerifier();
  }

  get failed(): boolean {
    return this.#bad !== null;
  }

  get filtered(): boolean {
    return this.#filtered;
  }

  /** Checks one event; false once an event has failed (later ones are not checked). */
  push(item: ExportRow): boolean {
    if (this.#bad) return false;
    if ('error' in item) return this.fail({ seq: null, line: item.line, reason: item.error });
    const record = toAuditRecord(item.row);
    if (typeof record === 'string') return this.fail({ seq: seqOf(item.row), line: item.line, reason: record });
    const problem = this.#problem(record);
    if (problem) return this.fail({ seq: problem.seq ?? record.seq, line: item.line, reason: problem.reason });
    this.#first ??= record;
    this.#previous = record;
    this.#count += 1;
    return true;
  }

  /** Why the event fails, and which seq to name when it is not this event's (a missing one). */
  #problem(record: AuditRecord): { seq?: number; reason: string } | null {
    const { seq } = record;
    const head = this.#manifest.chainHead.seq;
    if (seq > head) return { reason: `event ${seq} is after the chain head the manifest records (${head}): it was added to the export` };
    if (!this.#filtered) {
      if (this.#chain.push(record)) return null;
      const broken = this.#chain.finish().firstBreak;
      return { seq: broken?.seq ?? seq, reason: broken?.reason ?? 'the chain is broken' };
    }
    const previous = this.#previous;
    if (previous && seq <= previous.seq) return { reason: `event ${seq} follows event ${previous.seq}: events are out of order or repeated` };
    if (hashAuditRecord(record) !== record.hash) return { reason: `event ${seq} was modified after it was written (hash mismatch)` };
    const expectedPrev = seq === 1 ? GENESIS_HASH : previous?.seq === seq - 1 ? previous.hash : null;
    if (expectedPrev !== null && record.prevHash !== expectedPrev) return { reason: `event ${seq} does not link to the previous event's hash` };
    if (!matchesFilter(record, this.#manifest.filter)) return { reason: `event ${seq} does not match the export's filter ${JSON.stringify(this.#manifest.filter)}` };
    return null;
  }

  /** Records a failure (the first one counts). */
  fail(bad: BadExportEvent): false {
    this.#bad ??= bad;
    return false;
  }

  /**
   * After the last event: the complete chain must end at the recorded head, and the events read
   * must be the ones the manifest counts. Returns problems with the export as a whole.
   */
  finish(): { count: number; firstBad: BadExportEvent | null; problems: string[] } {
    const m = this.#manifest;
    if (!this.#bad && !this.#filtered) {
      const end = this.#chain.finish(m.chainHead).firstBreak;
      if (end) this.#bad = { seq: end.seq, line: null, reason: end.reason };
    }
    const problems: string[] = [];
    // Only meaningful when every event was read: after a bad event the counts differ anyway.
    if (!this.#bad) {
      const ref = (r: AuditRecord | null) => (r ? { seq: r.seq, hash: r.hash } : null);
      if (this.#count !== m.count) problems.push(`the export holds ${this.#count} events but the manifest records ${m.count}: events were removed or added`);
      if (JSON.stringify(ref(this.#first)) !== JSON.stringify(m.first)) problems.push(`the first event (${describe(this.#first)}) is not the one the manifest records (${describe(m.first)})`);
      if (JSON.stringify(ref(this.#previous)) !== JSON.stringify(m.last)) problems.push(`the last event (${describe(this.#previous)}) is not the one the manifest records (${describe(m.last)})`);
    }
    return { count: this.#count, firstBad: this.#bad, problems };
  }
}

function describe(ref: { seq: number; hash: string } | null): string {
  return ref ? `seq ${ref.seq}, hash ${ref.hash.slice(0, 12)}…` : 'none';
}
