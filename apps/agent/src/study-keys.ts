import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { checkPinnedRoster, ownPoint } from '@consilium/keyholder';
import { CkksParams, CommitteeMember, RosterEntry, Sha256Hex, type KeygenTask } from '@consilium/schemas';
import { z } from 'zod';
import type { AgentFiles } from './agent-files.ts';

/**
 * What this member pinned at a key epoch's first ceremony stage. Every later stage and every
 * decryption under that epoch is checked against this file, never against what the hub says later.
 */
export const PinnedCeremony = z.object({
  epoch: z.number().int().min(0),
  crpSeed: z.string(),
  ckks: CkksParams,
  threshold: z.number().int().min(1),
  committee: z.array(CommitteeMember),
  /** This site's Shamir point. */
  point: z.number().int().min(1),
  roster: z.array(RosterEntry),
  minSubmissions: z.number().int().min(1),
  pinnedAt: z.string(),
});
export type PinnedCeremony = z.infer<typeof PinnedCeremony>;

const BoxKeyFile = z.object({ privateKey: z.string(), publicKey: z.string() });
const CollectiveKeyFile = z.object({ publicKeyHash: Sha256Hex, combinedAt: z.string() });

export interface ShareMaterial {
  secretShare: Uint8Array;
  boxPrivateKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

/**
 * A study's key material on disk, one set of files per key epoch (see AgentFiles): re-keying starts
 * new files and never overwrites an earlier epoch's. Secrets are written 0600 via a temporary file
 * and a rename, so a crash leaves either the whole file or none.
 */
export class StudyKeys {
  readonly #files: AgentFiles;
  readonly studyId: string;

  constructor(files: AgentFiles, studyId: string) {
    this.#files = files;
    this.studyId = studyId;
  }

  async pinned(epoch: number): Promise<PinnedCeremony | null> {
    const text = await readOptional(this.#files.pinned(this.studyId, epoch));
    return text ? PinnedCeremony.parse(JSON.parse(Buffer.from(text).toString('utf8'))) : null;
  }

  /** The newest epoch this member pinned, if any. */
  async latestPinned(): Promise<PinnedCeremony | null> {
    let names: string[];
    try {
      names = await readdir(this.#files.studyDir(this.studyId));
    } catch {
      return null;
    }
    const epochs = names.map((n) => /^pinned-e(\d+)\.json$/.exec(n)?.[1]).filter((e): e is string => e !== undefined).map(Number);
    return epochs.length ? this.pinned(Math.max(...epochs)) : null;
  }

  /**
   * Pins the ceremony at stage `share` (or checks the pin already made for this epoch). A re-keying
   * may add sites, but no site pinned at an earlier epoch may come back with another identity key,
   * and the minimum number of submissions never goes down: a hub cannot lower the bar by re-keying.
   */
  async pin(task: KeygenTask, selfSiteId: string): Promise<PinnedCeremony> {
    const existing = await this.pinned(task.epoch);
    if (existing) return this.#match(existing, task);
    const earlier = await this.latestPinned();
    if (earlier && earlier.epoch > task.epoch) {
      throw new AppError(ErrorCode.CONFLICT, `The hub asks for key epoch ${task.epoch} of study ${task.studyId}, but this site already took part in epoch ${earlier.epoch}; refusing to go back`);
    }
    if (earlier) checkPinnedRoster(earlier.roster, task.roster);
    const pinned: PinnedCeremony = {
      epoch: task.epoch,
      crpSeed: task.crpSeed,
      ckks: task.ckks,
      threshold: task.threshold,
      committee: task.committee,
      point: ownPoint(task, selfSiteId),
      roster: task.roster,
      minSubmissions: Math.max(task.minSubmissions, earlier?.minSubmissions ?? 0),
      pinnedAt: new Date().toISOString(),
    };
    await writeSecret(this.#files.pinned(this.studyId, task.epoch), JSON.stringify(pinned, null, 2));
    return pinned;
  }

  /** The pin of a later ceremony stage's epoch; refuses a task that differs from what was pinned. */
  async requirePinned(task: KeygenTask): Promise<PinnedCeremony> {
    const pinned = await this.pinned(task.epoch);
    if (!pinned) throw this.#lost(`the ceremony pin of key epoch ${task.epoch}`);
    return this.#match(pinned, task);
  }

  /** The pin a decryption under `epoch` is checked against. */
  async pinForDecryption(epoch: number): Promise<PinnedCeremony> {
    const pinned = await this.pinned(epoch);
    if (!pinned) throw this.#lost(`the ceremony pin of key epoch ${epoch}`);
    return pinned;
  }

  #match(pinned: PinnedCeremony, task: KeygenTask): PinnedCeremony {
    checkPinnedRoster(pinned.roster, task.roster);
    const sameCommittee = JSON.stringify(pinned.committee) === JSON.stringify(task.committee);
    if (pinned.crpSeed !== task.crpSeed || pinned.threshold !== task.threshold || !sameCommittee || JSON.stringify(pinned.ckks) !== JSON.stringify(task.ckks)) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `The hub changed key epoch ${task.epoch} of study ${task.studyId} (seed, committee, threshold or parameters) after this site pinned it; refusing`,
      );
    }
    return pinned;
  }

  /** s_i and the box key pair of stage `share`, if kept (null before the stage, and after `combine`). */
  async shareMaterial(epoch: number): Promise<ShareMaterial | null> {
    const secretShare = await readOptional(this.#files.secretShare(this.studyId, epoch));
    const box = await readOptional(this.#files.boxKey(this.studyId, epoch));
    if (!secretShare || !box) return null;
    const keys = BoxKeyFile.parse(JSON.parse(Buffer.from(box).toString('utf8')));
    return { secretShare, boxPrivateKey: Buffer.from(keys.privateKey, 'base64'), boxPublicKey: Buffer.from(keys.publicKey, 'base64') };
  }

  async requireShareMaterial(epoch: number): Promise<ShareMaterial> {
    const material = await this.shareMaterial(epoch);
    if (!material) throw this.#lost(`the key-ceremony secret of key epoch ${epoch}`);
    return material;
  }

  async keepShareMaterial(epoch: number, material: ShareMaterial): Promise<void> {
    const box = { privateKey: Buffer.from(material.boxPrivateKey).toString('base64'), publicKey: Buffer.from(material.boxPublicKey).toString('base64') };
    await writeSecret(this.#files.boxKey(this.studyId, epoch), JSON.stringify(box));
    await writeSecret(this.#files.secretShare(this.studyId, epoch), material.secretShare);
  }

  async thresholdShare(epoch: number): Promise<Uint8Array | null> {
    return readOptional(this.#files.thresholdShare(this.studyId, epoch));
  }

  async requireThresholdShare(epoch: number): Promise<Uint8Array> {
    const share = await this.thresholdShare(epoch);
    if (!share) throw this.#lost(`the threshold key share of key epoch ${epoch}`);
    return share;
  }

  /** The collective key hash this member recomputed at stage `combine`. */
  async collectiveKeyHash(epoch: number): Promise<string | null> {
    const text = await readOptional(this.#files.collectiveKey(this.studyId, epoch));
    return text ? CollectiveKeyFile.parse(JSON.parse(Buffer.from(text).toString('utf8'))).publicKeyHash : null;
  }

  /**
   * Keeps the threshold key share, then deletes s_i and the box key. The hash goes first and the
   * share second, so an existing share always has its hash next to it.
   */
  async keepThresholdShare(epoch: number, keyShare: Uint8Array, publicKeyHash: string): Promise<void> {
    await writeSecret(this.#files.collectiveKey(this.studyId, epoch), JSON.stringify({ publicKeyHash, combinedAt: new Date().toISOString() }));
    await writeSecret(this.#files.thresholdShare(this.studyId, epoch), keyShare);
    await this.forgetCeremonySecrets(epoch);
  }

  /**
   * Once the threshold share exists, s_i must go: the committee's Shamir shares replace it, and the
   * protocol's promise is that no party holds s_i any more — a kept s_i would let this one site
   * (or whoever steals its disk) contribute its full secret to a decryption without t − 1 others.
   * The box key goes too: with it, the sealed shares the hub stores would open to this site's
   * threshold share.
   */
  async forgetCeremonySecrets(epoch: number): Promise<void> {
    await rm(this.#files.secretShare(this.studyId, epoch), { force: true });
    await rm(this.#files.boxKey(this.studyId, epoch), { force: true });
  }

  #lost(what: string): AppError {
    return new AppError(
      ErrorCode.INVALID_INPUT,
      `No ${what} for study ${this.studyId} in ${this.#files.studyDir(this.studyId)}: this site cannot take part (was the agent's data directory lost or restored from an old backup?)`,
    );
  }
}

async function readOptional(file: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function writeSecret(file: string, content: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  // A leftover temporary file may have other permissions: `mode` only applies to a new file.
  await rm(temp, { force: true });
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  await rename(temp, file);
}
