import path from 'node:path';

/**
 * Layout of the agent's data directory. Everything the agent keeps lives here; the systemd unit
 * grants write access to this directory only.
 *
 *   config.json            hub URL, site identity, data sources
 *   identity.key           Ed25519 private key (0600)
 *   transfers.ndjson       every byte that left the site: kind, round, size, SHA-256; and every
 *                          decryption this site refused (with the reason)
 *   agent.log              structured logs
 *   studies/<id>/           one folder per study; key material per key epoch <e> (all 0600):
 *     pinned-e<e>.json          committee role, identity keys and minimum submissions pinned at
 *                               the ceremony (decryptions are checked against these, never the hub's)
 *     secret-share-e<e>.bin     s_i, this member's ceremony secret: deleted once combined (below)
 *     box-key-e<e>.json         X25519 key the others seal their dealt shares to: deleted with s_i
 *     threshold-share-e<e>.bin  this member's Shamir share of the collective secret (never leaves)
 *     key-e<e>.json             the collective public key hash this member recomputed and confirmed
 *     state.json                rounds decrypted (and which aggregate), decryptions refused
 *     outbox/                   uploads not yet answered by the hub (re-sent after a restart)
 *     sent/                     uploads the hub has answered (kept: a share is never recomputed)
 */
export class AgentFiles {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }
  get config(): string {
    return path.join(this.root, 'config.json');
  }
  get identityKey(): string {
    return path.join(this.root, 'identity.key');
  }
  get transfers(): string {
    return path.join(this.root, 'transfers.ndjson');
  }
  get log(): string {
    return path.join(this.root, 'agent.log');
  }
  studyDir(studyId: string): string {
    return path.join(this.root, 'studies', studyId);
  }
  /** Key material of one key epoch (see the layout above); re-keying starts a new epoch's files. */
  pinned(studyId: string, epoch: number): string {
    return path.join(this.studyDir(studyId), `pinned-e${epoch}.json`);
  }
  secretShare(studyId: string, epoch: number): string {
    return path.join(this.studyDir(studyId), `secret-share-e${epoch}.bin`);
  }
  boxKey(studyId: string, epoch: number): string {
    return path.join(this.studyDir(studyId), `box-key-e${epoch}.json`);
  }
  thresholdShare(studyId: string, epoch: number): string {
    return path.join(this.studyDir(studyId), `threshold-share-e${epoch}.bin`);
  }
  collectiveKey(studyId: string, epoch: number): string {
    return path.join(this.studyDir(studyId), `key-e${epoch}.json`);
  }
  studyState(studyId: string): string {
    return path.join(this.studyDir(studyId), 'state.json');
  }
  outbox(studyId: string): string {
    return path.join(this.studyDir(studyId), 'outbox');
  }
  sent(studyId: string): string {
    return path.join(this.studyDir(studyId), 'sent');
  }
}
