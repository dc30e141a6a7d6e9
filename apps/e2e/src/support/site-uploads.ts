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
 * Checks that, for every given round, the site's update and partial decryption each reached the
 * hub exactly once (one stored row, one audit acceptance, same hash), and that the site's transfer
 * log lists them: at least one line per upload, every line with the hash the hub recorded, at most
 * one of them a first send (re-sends of the same bytes are marked duplicate). Returns the problems
 * found, one line each (empty when all is well).
 */
export function problemsOfSiteUploads(
  rounds: ReadonlyArray<{ id: string; index: number }>,
  siteId: string,
  hub: HubUploadRecords,
  transfers: readonly TransferLine[],
): string[] {
  const problems: string[] = [];
  for (const round of rounds) {
    for (const kind of ['submission', 'decryption-share'] as const) {
      const mine = (r: UploadRecord) => r.kind === kind && r.roundId === round.id && r.siteId === siteId;
      const stored = hub.stored.filter(mine);
      const audited = hub.audited.filter(mine);
      const sent = transfers.filter((t) => t.kind === kind && t.roundId === round.id);
      const where = `round ${round.index} ${kind}`;
      if (stored.length !== 1) problems.push(`${where}: ${stored.length} rows on the hub`);
      if (audited.length !== 1) problems.push(`${where}: accepted ${audited.length} times in the audit log`);
      const hash = stored[0]?.payloadHash;
      if (audited.some((a) => a.payloadHash !== hash)) problems.push(`${where}: the audit log names another payload than the hub stored`);
      if (sent.length === 0) problems.push(`${where}: missing from the transfer log`);
      if (sent.some((t) => t.sha256 !== hash)) problems.push(`${where}: the transfer log lists a payload the hub did not count`);
      if (sent.filter((t) => t.duplicate !== true).length > 1) problems.push(`${where}: logged as a first send ${sent.length} times`);
    }
  }
  return problems;
}
