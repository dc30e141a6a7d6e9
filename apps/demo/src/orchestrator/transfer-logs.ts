import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { StudyProgress } from './study-progress.ts';

/** What the key ceremony sends: the public-key share (stage share), the sealed Shamir shares (deal), the key hash (combine). */
const CEREMONY_KINDS: ReadonlySet<string> = new Set(['keyshare', 'dealing', 'key-confirmation']);
/** What a round's committee members and participants send for the round. */
const ROUND_KINDS: ReadonlySet<string> = new Set(['submission', 'decryption-share', 'decryption-refusal']);

/**
 * One line of an agent's transfers.ndjson: the site's own record of each upload (apps/agent's
 * TransferRecord, in transfer-log.ts). Only the fields read here are checked.
 */
const TransferRecord = z.object({
  kind: z.enum(['enrolment', 'key-rotation', 'keyshare', 'dealing', 'key-confirmation', 'submission', 'decryption-share', 'decryption-refusal', 'evaluation', 'claim']),
  studyId: z.string().nullable(),
  roundId: z.string().nullable(),
  bytes: z.number().nonnegative(),
  /** Bytes on the wire (payload and envelope header); older records carry only `bytes`. */
  wireBytes: z.number().nonnegative().optional(),
  duplicate: z.boolean().optional(),
});
type TransferRecord = z.infer<typeof TransferRecord>;

/** What one site uploaded for a study, from its own transfer log. */
export interface SiteUploads {
  /**
   * Bytes per round index (0 = statistics round): the site's update plus, when it was one of the
   * round's decryptors, its decryption share (or its report of a refused decryption).
   */
  perRound: number[];
  /** Bytes of the site's key-ceremony uploads: its public-key share, its dealing and its key confirmation. */
  keyShare: number;
  /** Everything the site sent for the study (including evaluations). */
  total: number;
}

/** The records of an agent's transfer log (empty when the agent never uploaded anything). */
export async function readTransferLog(agentDir: string): Promise<TransferRecord[]> {
  let text: string;
  try {
    text = await readFile(path.join(agentDir, 'transfers.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      const parsed = TransferRecord.safeParse(safeJson(line));
      return parsed.success ? [parsed.data] : [];
    });
}

/**
 * Sums a site's uploads for one study by round. A re-send after a restart (`duplicate`) counts:
 * the bytes did leave the site again.
 */
export function siteUploads(records: readonly TransferRecord[], progress: StudyProgress): SiteUploads {
  const indexOfRound = new Map(progress.rounds.map((r) => [r.id, r.index]));
  const perRound = progress.rounds.map(() => 0);
  let keyShare = 0;
  let total = 0;
  for (const record of records) {
    if (record.studyId !== progress.id) continue;
    // What crossed the network: the payload and its signed envelope header.
    const bytes = record.wireBytes ?? record.bytes;
    total += bytes;
    if (CEREMONY_KINDS.has(record.kind)) keyShare += bytes;
    const index = record.roundId === null ? undefined : indexOfRound.get(record.roundId);
    if (index !== undefined && ROUND_KINDS.has(record.kind)) perRound[index] = (perRound[index] ?? 0) + bytes;
  }
  return { perRound, keyShare, total };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
