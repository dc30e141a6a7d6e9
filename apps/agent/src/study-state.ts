import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { encodeEnvelopeHead, partLengthPrefix } from '@consilium/protocol';
import path from 'node:path';
import { z } from 'zod';
import type { AgentFiles } from './agent-files.ts';

const Refusal = z.object({ at: z.string(), roundId: z.string(), attempt: z.number(), reason: z.string(), reported: z.boolean() });
export type Refusal = z.infer<typeof Refusal>;

const StudyStateFile = z.object({
  /** roundId → SHA-256 of the aggregate this site was asked to decrypt for it (the first one only). */
  decrypted: z.record(z.string(), z.string()).default({}),
  /** `<roundId>/<attempt>` → a decryption this site refused, and whether the hub has been told. */
  refused: z.record(z.string(), Refusal).default({}),
});
type StudyStateFile = z.infer<typeof StudyStateFile>;

/**
 * An upload kept on disk: in the outbox until the hub has answered, then in `sent/` for good. A
 * restart re-sends the same bytes, and a key share, dealing or decryption share is never computed
 * twice — fresh noise on a second share for the same secret would give a curious hub a second sample.
 */
export interface OutboxItem {
  file: string;
  kind: 'keyshare' | 'dealing' | 'submission' | 'decryption-share';
  roundId: string | null;
  /**
   * Which instance of the upload: `e<epoch>` for ceremony uploads (each key epoch has its own),
   * `a<attempt>` for decryption shares (each decryptor set needs its own share), null otherwise.
   */
  slot: string | null;
  envelope: Uint8Array;
}

/** The outbox slot of a key epoch's ceremony uploads. */
export function epochSlot(epoch: number): string {
  return `e${epoch}`;
}

/** The outbox slot of a decryption attempt's share. */
export function attemptSlot(attempt: number): string {
  return `a${attempt}`;
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
      return { decrypted: {}, refused: {} };
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

  /** A decryption this site refused for a round's attempt, if any. */
  async refusal(roundId: string, attempt: number): Promise<Refusal | null> {
    return (await this.#read()).refused[`${roundId}/${attempt}`] ?? null;
  }

  /** Records a refusal (before the hub is told: the site's own record must not depend on the hub). */
  async recordRefusal(refusal: Refusal): Promise<void> {
    const state = await this.#read();
    state.refused[`${refusal.roundId}/${refusal.attempt}`] = refusal;
    await this.#write(state);
  }

  /** Saves an upload before sending it (crash-safe: written to a temp name, then renamed). */
  async enqueue(kind: OutboxItem['kind'], roundId: string | null, slot: string | null, envelope: Uint8Array): Promise<OutboxItem> {
    const dir = this.#files.outbox(this.studyId);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, uploadName(kind, roundId, slot));
    await writeFile(`${file}.tmp`, envelope, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return { file, kind, roundId, slot, envelope };
  }

  /**
   * Saves an upload whose parts arrive one at a time: they are hashed and appended to a scratch file
   * as they come, then the envelope (header with hash and signature, then the parts) is assembled on
   * disk and renamed into the outbox. Memory holds one part at a time until the envelope is read back.
   */
  async enqueueStreamed(
    kind: OutboxItem['kind'],
    roundId: string | null,
    slot: string | null,
    parts: Iterable<Uint8Array>,
    headerFor: (payloadSha256: string) => object,
  ): Promise<OutboxItem> {
    const dir = this.#files.outbox(this.studyId);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, uploadName(kind, roundId, slot));
    const scratch = `${file}.parts.tmp`;
    const hash = createHash('sha256');
    let count = 0;
    const out = await open(scratch, 'w', 0o600);
    try {
      for (const part of parts) {
        hash.update(part);
        await out.write(partLengthPrefix(part.byteLength));
        await out.write(part);
        count += 1;
      }
    } finally {
      await out.close();
    }
    const head = encodeEnvelopeHead(headerFor(hash.digest('hex')), count);
    await writeFile(`${file}.tmp`, head, { mode: 0o600 });
    await pipeline(createReadStream(scratch), createWriteStream(`${file}.tmp`, { flags: 'a' }));
    await rm(scratch, { force: true });
    await rename(`${file}.tmp`, file);
    return { file, kind, roundId, slot, envelope: new Uint8Array(await readFile(file)) };
  }

  /** The upload already built for this kind, round and slot (pending or sent), if any. */
  async existing(kind: OutboxItem['kind'], roundId: string | null, slot: string | null): Promise<OutboxItem | null> {
    for (const dir of [this.#files.outbox(this.studyId), this.#files.sent(this.studyId)]) {
      const file = path.join(dir, uploadName(kind, roundId, slot));
      try {
        return { file, kind, roundId, slot, envelope: new Uint8Array(await readFile(file)) };
      } catch {
        // not in this folder
      }
    }
    return null;
  }

  /** The attempts this site built a decryption share for in a round (pending or sent; 0 for a share without an attempt). */
  async decryptionShareAttempts(roundId: string): Promise<number[]> {
    const attempts: number[] = [];
    for (const dir of [this.#files.outbox(this.studyId), this.#files.sent(this.studyId)]) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const match = new RegExp(`^decryption-share--${roundId}(?:--a(\\d+))?\\.bin$`).exec(name);
        if (match) attempts.push(Number(match[1] ?? 0));
      }
    }
    return attempts;
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
      const [kind, round, slot] = name.replace(/\.bin$/, '').split('--') as [OutboxItem['kind'], string, string | undefined];
      items.push({ file: path.join(dir, name), kind, roundId: round === 'study' ? null : round, slot: slot ?? null, envelope: new Uint8Array(await readFile(path.join(dir, name))) });
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

function uploadName(kind: OutboxItem['kind'], roundId: string | null, slot: string | null): string {
  return `${kind}--${roundId ?? 'study'}${slot ? `--${slot}` : ''}.bin`;
}
