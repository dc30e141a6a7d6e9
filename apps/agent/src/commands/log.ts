import type { AgentFiles } from '../agent-files.ts';
import { TransferLog } from '../transfer-log.ts';

/** Everything that left this site, from the site's own records (compare with the hub's audit log). */
export async function logCommand(files: AgentFiles, options: { json: boolean }, print: (line: string) => void): Promise<void> {
  const records = await new TransferLog(files.transfers).read();
  if (options.json) {
    for (const r of records) print(JSON.stringify(r));
    return;
  }
  if (records.length === 0) return print('Nothing has left this site yet.');
  print(`${'time'.padEnd(24)} ${'kind'.padEnd(17)} ${'bytes'.padStart(10)}  sha256 (payload)`);
  for (const r of records) {
    const note = r.accepted === false ? `  (refused: ${r.error ?? 'unknown reason'})` : r.duplicate ? '  (re-send)' : '';
    print(`${r.at.padEnd(24)} ${r.kind.padEnd(17)} ${String(r.bytes).padStart(10)}  ${r.sha256 ?? '-'}${note}`);
  }
  print(`${records.length} transfer(s), ${records.reduce((n, r) => n + r.bytes, 0)} bytes in total.`);
}
