import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * One thing that left the site: what, for which study and round, how many bytes, and its hash.
 * `decryption-refusal` records a decryption this site refused and its report to the hub;
 * `key-confirmation` the collective key hash this site recomputed and confirmed; `key-rotation`
 * the new public identity key sent to the hub.
 */
export interface TransferRecord {
  at: string;
  kind: 'enrolment' | 'key-rotation' | 'keyshare' | 'dealing' | 'key-confirmation' | 'submission' | 'decryption-share' | 'decryption-refusal' | 'evaluation' | 'claim';
  studyId: string | null;
  roundId: string | null;
  /** Payload bytes — the size the hub records for the same upload. */
  bytes: number;
  /** Bytes on the wire (payload plus the signed envelope header). */
  wireBytes?: number;
  /** SHA-256 of the payload — the hash the hub records in its audit log. */
  sha256: string | null;
  /** false when the hub refused it (the bytes still left the site). */
  accepted?: boolean;
  /** Why the hub refused it. */
  error?: string;
  /** true when the hub had already accepted these exact bytes (a re-send after a restart). */
  duplicate?: boolean;
  /** Why this site refused to decrypt (decryption-refusal only). */
  reason?: string;
  /** The decryption attempt (decryption-refusal only). */
  attempt?: number;
}

/**
 * The site's own record of every upload, independent of the hub: a hospital can check what left
 * its network against the hub's audit log (same hashes).
 */
export class TransferLog {
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }

  async append(record: Omit<TransferRecord, 'at'>): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    await appendFile(this.#file, `${JSON.stringify({ at: new Date().toISOString(), ...record })}\n`, { mode: 0o600 });
  }

  async read(): Promise<TransferRecord[]> {
    try {
      const text = await readFile(this.#file, 'utf8');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as TransferRecord);
    } catch {
      return [];
    }
  }
}
