import type { AgentFiles } from '../agent-files.ts';
import { TransferLog, type TransferRecord } from '../transfer-log.ts';

/**
 * Everything that left this site, from the site's own records (compare with the hub's audit log),
 * and every decryption this site refused.
 */
export async function logCommand(files: AgentFiles, options: { json: boolean }, print: (line: string) => void): Promise<void> {
  const records = await new TransferLog(files.transfers).read();
  if (options.json) {
    for (const r of records) print(JSON.stringify(r));
    return;
  }
  if (records.length === 0) return print('Nothing has left this site yet.');
  print(`${'time'.padEnd(24)} ${'kind'.padEnd(18)} ${'bytes'.padStart(10)}  sha256 (payload)`);
  for (const r of records) print(`${r.at.padEnd(24)} ${r.kind.padEnd(18)} ${String(r.bytes).padStart(10)}  ${r.sha256 ?? '-'}${noteOf(r)}`);
  print(`${records.length} transfer(s), ${records.reduce((n, r) => n + r.bytes, 0)} bytes in total.`);
  // A refusal whose report had to be retried has several records: count rounds and attempts.
  const refusals = new Set(records.filter((r) => r.kind === 'decryption-refusal').map((r) => `${r.roundId}/${r.attempt}`));
  if (refusals.size) print(`${refusals.size} decryption(s) REFUSED by this site; the reasons are above.`);
}

function noteOf(r: TransferRecord): string {
  if (r.kind === 'decryption-refusal') {
    const reported = r.accepted === false ? `NOT yet reported to the hub: ${r.error ?? 'unknown reason'}` : 'reported to the hub';
    return `\n    REFUSED to decrypt round ${r.roundId ?? '?'} (attempt ${r.attempt ?? '?'}), ${reported}:\n    ${r.reason ?? '(no reason recorded)'}`;
  }
  if (r.accepted === false) return `  (refused: ${r.error ?? 'unknown reason'})`;
  return r.duplicate ? '  (re-send)' : '';
}
