import path from 'node:path';

/**
 * Layout of the agent's data directory. Everything the agent keeps lives here; the systemd unit
 * grants write access to this directory only.
 *
 *   config.json            hub URL, site identity, data sources
 *   identity.key           Ed25519 private key (0600)
 *   transfers.ndjson       every byte that left the site: kind, round, size, SHA-256
 *   agent.log              structured logs
 *   studies/<id>/secret-share.bin   this site's share of the study key (0600, never leaves the site)
 *   studies/<id>/state.json         rounds decrypted (and which aggregate)
 *   studies/<id>/outbox/            uploads not yet answered by the hub (re-sent after a restart)
 *   studies/<id>/sent/              uploads the hub has answered (kept: a share is never recomputed)
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
  secretShare(studyId: string): string {
    return path.join(this.studyDir(studyId), 'secret-share.bin');
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
