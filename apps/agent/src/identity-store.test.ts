import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadIdentity, loadOrCreateIdentity } from './identity-store.ts';

describe('site identity key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-identity-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created once, readable only by its owner, and reused afterwards', async () => {
    const file = path.join(dir, 'identity.key');
    const first = await loadOrCreateIdentity(file);
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateIdentity(file);
    expect(second.created).toBe(false);
    expect(second.publicKey).toBe(first.publicKey);
  });

  it('refuses a key file other users can read, saying how to fix it', async () => {
    const file = path.join(dir, 'identity.key');
    await loadOrCreateIdentity(file);
    await chmod(file, 0o644);
    await expect(loadIdentity(file)).rejects.toThrow(/readable by other users.*chmod 600/);
  });

  it('explains that enrolment comes first when there is no key', async () => {
    await expect(loadIdentity(path.join(dir, 'missing.key'))).rejects.toThrow(/consilium-agent enroll/);
  });
});
