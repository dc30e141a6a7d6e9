import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fingerprint } from '@consilium/protocol';
import type { AgentFiles } from '../agent-files.ts';
import { StudyKeys } from '../study-keys.ts';

/**
 * Per study, this site's decryption-committee role in the newest key epoch and the identity keys it
 * pinned then. Site administrators compare the fingerprints with each other (and with
 * `consilium-hub site:list`) out of band: a key the hub swapped in shows up as a mismatch here.
 */
export async function printKeyMaterial(files: AgentFiles, siteId: string, names: ReadonlyMap<string, string>, print: (line: string) => void): Promise<void> {
  let studyIds: string[];
  try {
    studyIds = await readdir(path.join(files.root, 'studies'));
  } catch {
    studyIds = [];
  }
  print('Key material:');
  let any = false;
  for (const studyId of studyIds.sort()) {
    const keys = new StudyKeys(files, studyId);
    const pinned = await keys.latestPinned();
    if (!pinned) continue;
    any = true;
    const hash = await keys.collectiveKeyHash(pinned.epoch);
    const held = (await keys.thresholdShare(pinned.epoch)) !== null;
    const ceremony = held ? `key share held; collective key ${hash?.slice(0, 16) ?? '?'}…` : (await keys.shareMaterial(pinned.epoch)) ? 'ceremony in progress' : 'NO key share (ceremony incomplete or data lost)';
    print(`  ${names.get(studyId) ?? studyId}: committee point ${pinned.point} of ${pinned.committee.length}, threshold ${pinned.threshold}, key epoch ${pinned.epoch} — ${ceremony}`);
    print(`    minimum submissions per decrypted sum: ${pinned.minSubmissions}; identity keys pinned ${pinned.pinnedAt}:`);
    for (const entry of pinned.roster) {
      const role = pinned.committee.find((m) => m.siteId === entry.siteId);
      print(`      ${fingerprintOf(entry.publicKey)}  ${entry.name}${entry.siteId === siteId ? ' (this site)' : ''}${role ? `  [committee point ${role.point}]` : ''}`);
    }
  }
  if (!any) print('  none (this site is not on a decryption committee, or no key ceremony has started)');
}

function fingerprintOf(publicKey: string): string {
  try {
    return fingerprint(publicKey);
  } catch {
    return '(invalid key!)';
  }
}
