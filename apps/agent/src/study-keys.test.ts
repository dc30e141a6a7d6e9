import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity } from '@consilium/protocol';
import { CkksParams, type KeygenTask } from '@consilium/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFiles } from './agent-files.ts';
import { StudyKeys } from './study-keys.ts';

const self = randomUUID();
const other = randomUUID();
const third = randomUUID();

function task(overrides: Partial<KeygenTask> = {}): KeygenTask {
  return {
    kind: 'keygen',
    stage: 'share',
    studyId: 'study-1',
    epoch: 0,
    crpSeed: 'ab'.repeat(32),
    ckks: CkksParams.parse({}),
    threshold: 2,
    committee: [
      { siteId: self, point: 1 },
      { siteId: other, point: 2 },
    ],
    roster: [
      { siteId: self, name: 'Self', publicKey: generateIdentity().publicKey },
      { siteId: other, name: 'Other', publicKey: generateIdentity().publicKey },
    ],
    minSubmissions: 3,
    ...overrides,
  };
}

describe('key material per key epoch', () => {
  let root: string;
  let keys: StudyKeys;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'consilium-keys-'));
    keys = new StudyKeys(new AgentFiles(root), 'study-1');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('pins the ceremony once (0600) and refuses a later stage that changed it', async () => {
    const first = task();
    const pinned = await keys.pin(first, self);
    expect(pinned).toMatchObject({ epoch: 0, point: 1, threshold: 2, minSubmissions: 3 });
    expect((await stat(new AgentFiles(root).pinned('study-1', 0))).mode & 0o777).toBe(0o600);

    await expect(keys.requirePinned({ ...first, stage: 'deal' })).resolves.toEqual(pinned);
    await expect(keys.requirePinned({ ...first, stage: 'deal', threshold: 1 })).rejects.toThrow(/changed key epoch 0/);
    const swapped = first.roster.map((r) => (r.siteId === other ? { ...r, publicKey: generateIdentity().publicKey } : r));
    await expect(keys.requirePinned({ ...first, stage: 'deal', roster: swapped })).rejects.toThrow(/another identity key/);
  });

  it('lets a re-keying add a site but not change a pinned key or lower the minimum', async () => {
    const first = task();
    await keys.pin(first, self);
    const joined = { siteId: third, name: 'Third', publicKey: generateIdentity().publicKey };
    const next = await keys.pin(task({ epoch: 1, roster: [...first.roster, joined], minSubmissions: 2 }), self);
    expect(next.roster).toHaveLength(3);
    expect(next.minSubmissions).toBe(3);
    expect((await keys.latestPinned())?.epoch).toBe(1);

    const swapped = first.roster.map((r) => (r.siteId === other ? { ...r, publicKey: generateIdentity().publicKey } : r));
    await expect(keys.pin(task({ epoch: 2, roster: swapped }), self)).rejects.toThrow(/another identity key/);
    await expect(keys.pin({ ...first, crpSeed: 'cd'.repeat(32) }, self)).rejects.toThrow(/changed key epoch 0/);
  });

  it('keeps the threshold share and deletes s_i and the box key once combined', async () => {
    const material = { secretShare: Uint8Array.from([1, 2, 3]), boxPrivateKey: Uint8Array.from([4, 5]), boxPublicKey: Uint8Array.from([6, 7]) };
    await keys.keepShareMaterial(0, material);
    expect(await keys.shareMaterial(0)).toEqual({ secretShare: material.secretShare, boxPrivateKey: Buffer.from([4, 5]), boxPublicKey: Buffer.from([6, 7]) });
    expect((await stat(new AgentFiles(root).secretShare('study-1', 0))).mode & 0o777).toBe(0o600);

    await keys.keepThresholdShare(0, Uint8Array.from([9, 9]), 'f'.repeat(64));
    expect(await keys.shareMaterial(0)).toBeNull();
    expect(Array.from((await keys.thresholdShare(0))!)).toEqual([9, 9]);
    expect(await keys.collectiveKeyHash(0)).toBe('f'.repeat(64));
    expect((await stat(new AgentFiles(root).thresholdShare('study-1', 0))).mode & 0o777).toBe(0o600);
    expect((await readdir(new AgentFiles(root).studyDir('study-1'))).sort()).toEqual(['key-e0.json', 'threshold-share-e0.bin']);
  });
});
