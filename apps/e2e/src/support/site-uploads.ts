import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HubUploadRecords, UploadRecord } from './hub-records.ts';

/** One line of an agent's transfers.ndjson (the site's own record of what left it). */
export interface TransferLine {
  kind: string;
  studyId: string | null;
  roundId: string | null;
  bytes: number;
  sha256: string | null;
  /** true when the hub had already accepted these bytes (a re-send). */
  duplicate?: boolean;
  /** false when the hub refused the upload (the bytes still left the site). */
  accepted?: boolean;
  /** Why the hub refused it. */
  error?: string;
}

/** Every line of an agent's transfer log, as written (the orchestrator's reader drops the hashes). */
export async function readTransferLines(agentDir: string): Promise<TransferLine[]> {
  const text = await readFile(path.join(agentDir, 'transfers.ndjson'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TransferLine);
}

/**
 * Checks, for every given round, the site's uploads against what the hub counted:
 *   - its update reached the hub exactly once (one stored row, one audit acceptance, same hash);
 *   - its partial decryption reached the hub at most once, and only for an attempt whose decryptor
 *     set named it (a member never decrypts an aggregate twice; a site not asked never sends one);
 *     when the round completed and its last set named the site, exactly once, for that attempt;
 *   - its transfer log lists each upload the hub holds, every accepted line with the hash the hub
 *     recorded (re-sends are the same bytes), at most one of them a first send (re-sends are
 *     marked duplicate).
 * Returns the problems found, one line each (empty when all is well).
 */
export function problemsOfSiteUploads(
  rounds: ReadonlyArray<{ id: string; index: number; status: string }>,
  siteId: string,
  hub: HubUploadRecords,
  transfers: readonly TransferLine[],
): string[] {
  const problems: string[] = [];
  for (const round of rounds) {
    const sets = hub.decryptorSets[round.id] ?? [];
    const askedIn = sets.flatMap((set, i) => (set.includes(siteId) ? [i + 1] : []));
    for (const kind of ['submission', 'decryption-share'] as const) {
      const mine = (r: UploadRecord) => r.kind === kind && r.roundId === round.id && r.siteId === siteId;
      const stored = hub.stored.filter(mine);
      const audited = hub.audited.filter(mine);
      const sent = transfers.filter((t) => t.kind === kind && t.roundId === round.id);
      const where = `round ${round.index} ${kind}`;
      if (kind === 'submission') {
        if (stored.length !== 1) problems.push(`${where}: ${stored.length} rows on the hub`);
      } else {
        if (stored.length > 1) problems.push(`${where}: ${stored.length} rows on the hub (attempts ${stored.map((s) => s.attempt).join(', ')})`);
        for (const share of stored) {
          if (!askedIn.includes(share.attempt ?? 0)) problems.push(`${where}: stored for attempt ${share.attempt}, whose decryptor set did not name this site`);
        }
        if (round.status === 'complete' && askedIn.includes(sets.length) && !stored.some((s) => s.attempt === sets.length)) {
          problems.push(`${where}: the round completed without this decryptor's share (attempt ${sets.length})`);
        }
        if (askedIn.length === 0 && sent.length > 0) problems.push(`${where}: sent ${sent.length} time(s) though this site was never asked to decrypt`);
      }
      if (audited.length !== stored.length) problems.push(`${where}: accepted ${audited.length} times in the audit log, ${stored.length} row(s) stored`);
      const hash = stored[0]?.payloadHash;
      if (audited.some((a) => a.payloadHash !== hash || a.attempt !== stored[0]?.attempt)) problems.push(`${where}: the audit log names another payload than the hub stored`);
      if (stored.length > 0 && sent.length === 0) problems.push(`${where}: missing from the transfer log`);
      if (sent.some((t) => t.accepted !== false && t.sha256 !== hash)) problems.push(`${where}: the transfer log lists a payload the hub did not count`);
      if (sent.filter((t) => t.duplicate !== true).length > 1) problems.push(`${where}: logged as a first send ${sent.length} times`);
    }
  }
  return problems;
}
