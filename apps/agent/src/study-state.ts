import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AgentFiles } from './agent-files.ts';

const StudyStateFile = z.object({
  /** roundId → SHA-256 of the aggregate this site partially decrypted for it. */
  decrypted: z.record(z.string(), z.string()).default({}),
});
type StudyStateFile = z.infer<typeof StudyStateFile>;

/**
 * An upload kept on disk: in the outbox until the hub has answered, then in `sent/` for good. A
 * restart re-sends the same bytes, and a key share or decryption share is never computed twice —
 * fresh noise on a second share for the same secret would give a curious hub a second sample.
 */
export interface OutboxItem {
  file: string;
  kind: 'keyshare' | 'submission' | 'decryption-share';
  roundId: string | null;
  envelope: Uint8Array;
}

/** What the agent remembers about one study across restarts. */
export class StudyState {
  readonly #files: AgentFiles;
  readonly studyId: string;

  constructor(files: AgentFiles, studyId: string) {
    this.#files = files;
    this.studyId = studyId;
  }

  async #read(): Promise<StudyStateFile> {
    try {
      return StudyStateFile.parse(JSON.parse(await readFile(this.#files.studyState(this.studyId), 'utf8')));
    } catch {
      return { decrypted: {} };
    }
  }

  async #write(state: StudyStateFile): Promise<void> {
    const file = this.#files.studyState(this.studyId);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2));
    await rename(`${file}.tmp`, file);
  }

  /** The aggregate hash this site already decrypted for a round, if any. */
  async decryptedAggregate(roundId: string): Promise<string | null> {
    return (await this.#read()).decrypted[roundId] ?? null;
  }

  async recordDecryption(roundId: string, aggregateHash: string): Promise<void> {
    const state = await this.#read();
    state.decrypted[roundId] = aggregateHash;
    await this.#write(state);
  }

  /** Saves an upload before sending it (crash-safe: written to a temp name, then renamed). */
  async enqueue(kind: OutboxItem['kind'], roundId: string | null, envelope: Uint8Array): Promise<OutboxItem> {
    const dir = this.#files.outbox(this.studyId);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, uploadName(kind, roundId));
    await writeFile(`${file}.tmp`, envelope, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return { file, kind, roundId, envelope };
  }

  /** The upload already built for this kind and round (pending or sent), if any. */
  async existing(kind: OutboxItem['kind'], roundId: string | null): Promise<OutboxItem | null> {
    for (const dir of [this.#files.outbox(this.studyId), this.#files.sent(this.studyId)]) {
      const file = path.join(dir, uploadName(kind, roundId));
      try {
        return { file, kind, roundId, envelope: new Uint8Array(await readFile(file)) };
      } catch {
        // not in this folder
      }
    }
    return null;
  }

  async pending(): Promise<OutboxItem[]> {
    const dir = this.#files.outbox(this.studyId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const items: OutboxItem[] = [];
    for (const name of names.filter((n) => n.endsWith('.bin')).sort()) {
      const [kind, round] = name.replace(/\.bin$/, '').split('--') as [OutboxItem['kind'], string];
      items.push({ file: path.join(dir, name), kind, roundId: round === 'study' ? null : round, envelope: new Uint8Array(await readFile(path.join(dir, name))) });
    }
    return items;
  }

  /** The hub has answered (accepted or refused for good): move the upload from the outbox to sent/. */
  async done(item: OutboxItem): Promise<void> {
    const sentDir = this.#files.sent(this.studyId);
    await mkdir(sentDir, { recursive: true });
    const target = path.join(sentDir, path.basename(item.file));
    if (item.file !== target) await rename(item.file, target).catch(() => rm(item.file, { force: true }));
  }
}

function uploadName(kind: OutboxItem['kind'], roundId: string | null): string {
  return `${kind}--${roundId ?? 'study'}.bin`;
}
