import type { AuditRecord } from './events.ts';
import { GENESIS_HASH, hashAuditRecord } from './hash.ts';

export interface ChainBreak {
  /** Sequence number of the first event that does not verify (or where one is missing). */
  seq: number;
  reason: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  count: number;
  /** Hash of the last verified event. */
  lastHash: string;
  firstBreak: ChainBreak | null;
}

/**
 * Incremental verifier: feed events in sequence order; the first event that was edited, deleted,
 * inserted or reordered is reported with its sequence number. Used on the live database and on
 * exported logs alike.
 */
export class AuditChainVerifier {
  #expectedSeq: number;
  #prevHash: string;
  #count = 0;
  #break: ChainBreak | null = null;

  constructor(start: { seq: number; prevHash: string } = { seq: 1, prevHash: GENESIS_HASH }) {
    this.#expectedSeq = start.seq;
    this.#prevHash = start.prevHash;
  }

  /** Checks one event; returns false once the chain is broken (later events are not checked). */
  push(record: AuditRecord): boolean {
    if (this.#break) return false;
    if (record.seq !== this.#expectedSeq) {
      const reason =
        record.seq > this.#expectedSeq
          ? `event ${this.#expectedSeq} is missing (next stored event is ${record.seq})`
          : `event ${record.seq} appears out of order (expected ${this.#expectedSeq})`;
      this.#break = { seq: this.#expectedSeq, reason };
      return false;
    }
    if (record.prevHash !== this.#prevHash) {
      this.#break = { seq: record.seq, reason: `event ${record.seq} does not link to the previous event's hash (deleted, inserted or reordered)` };
      return false;
    }
    if (hashAuditRecord(record) !== record.hash) {
      this.#break = { seq: record.seq, reason: `event ${record.seq} was modified after it was written (hash mismatch)` };
      return false;
    }
    this.#prevHash = record.hash;
    this.#expectedSeq += 1;
    this.#count += 1;
    return true;
  }

  /** Final check against the expected tail (the head row), which catches a truncated end. */
  finish(expectedTail?: { seq: number; hash: string }): ChainVerification {
    if (!this.#break && expectedTail) {
      const lastSeq = this.#expectedSeq - 1;
      if (expectedTail.seq !== lastSeq) {
        this.#break = {
          seq: Math.min(expectedTail.seq, lastSeq) + 1,
          reason: `the chain ends at event ${lastSeq} but the head records ${expectedTail.seq} events (events removed from the end?)`,
        };
      } else if (expectedTail.hash !== this.#prevHash) {
        this.#break = { seq: lastSeq, reason: `the last event's hash does not match the recorded head` };
      }
    }
    return { ok: this.#break === null, count: this.#count, lastHash: this.#prevHash, firstBreak: this.#break };
  }
}
