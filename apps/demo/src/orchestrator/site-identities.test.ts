import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiteIdentities } from './site-identities.ts';

describe('SiteIdentities', () => {
  it('hands a site\'s key from one run\'s agent directory to the next, private to its owner', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'consilium-identities-'));
    const identities = new SiteIdentities(path.join(root, 'keys'));

    // First run: nothing kept yet, so the agent creates its own key; it is kept after enrolment.
    const first = path.join(root, 'run-1', 'north');
    await identities.restore('north', first);
    await expect(stat(path.join(first, 'identity.key'))).rejects.toThrow(/ENOENT/);
    await writeFile(path.join(first, 'identity.key'), 'PRIVATE KEY 1', { mode: 0o600 });
    await identities.keep('north', first);

    // Next run: the new agent directory starts with the same key.
    const second = path.join(root, 'run-2', 'north');
    await identities.restore('north', second);
    expect(await readFile(path.join(second, 'identity.key'), 'utf8')).toBe('PRIVATE KEY 1');
    expect((await stat(path.join(second, 'identity.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'keys', 'north.key'))).mode & 0o777).toBe(0o600);
  });

  it('keeps sites apart', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'consilium-identities-'));
    const identities = new SiteIdentities(path.join(root, 'keys'));
    await mkdir(path.join(root, 'a'));
    await writeFile(path.join(root, 'a', 'identity.key'), 'KEY A', { mode: 0o600 });
    await identities.keep('a', path.join(root, 'a'));
    await identities.restore('b', path.join(root, 'b'));
    await expect(stat(path.join(root, 'b', 'identity.key'))).rejects.toThrow(/ENOENT/);
  });
});
