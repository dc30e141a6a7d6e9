import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publicKeyFromPrivate } from '@consilium/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateHubSigningKey, SIGNING_KEY_FILE } from './hub-signing-key.ts';

describe('hub signing key', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'consilium-hub-key-')), 'data');
  });
  afterEach(async () => {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('is generated on first use, readable by its owner only, and the same afterwards', async () => {
    const first = await loadOrCreateHubSigningKey(dataDir);
    expect(first).toMatchObject({ created: true, file: path.join(dataDir, SIGNING_KEY_FILE) });
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(publicKeyFromPrivate(await readFile(first.file, 'utf8'))).toBe(first.publicKey);
    const again = await loadOrCreateHubSigningKey(dataDir);
    expect(again).toMatchObject({ created: false, publicKey: first.publicKey, fingerprint: first.fingerprint });
  });

  it('is created once when several commands start together', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateHubSigningKey(dataDir)));
    expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1);
    expect(keys.filter((k) => k.created)).toHaveLength(1);
  });

  it.skipIf(process.platform === 'win32')('refuses a key file other users can read', async () => {
    const { file } = await loadOrCreateHubSigningKey(dataDir);
    await chmod(file, 0o644);
    await expect(loadOrCreateHubSigningKey(dataDir)).rejects.toThrow(/chmod 600/);
  });
});
