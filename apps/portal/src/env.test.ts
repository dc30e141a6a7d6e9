import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_URL, readPortalEnv, resolveAdminToken } from './env.ts';

describe('readPortalEnv', () => {
  it('defaults the hub URL and says so', () => {
    expect(readPortalEnv({})).toEqual({ ok: true, env: { hubUrl: DEFAULT_HUB_URL, hubUrlConfigured: false, adminToken: { kind: 'none' } } });
  });

  it('reads the hub URL (without a trailing slash) and an inline token; empty values count as unset', () => {
    const result = readPortalEnv({ CONSILIUM_HUB_URL: 'https://hub.example.org/', CONSILIUM_ADMIN_TOKEN: 'tok_0123456789abcdef', CONSILIUM_ADMIN_TOKEN_FILE: '' });
    expect(result).toEqual({ ok: true, env: { hubUrl: 'https://hub.example.org', hubUrlConfigured: true, adminToken: { kind: 'inline', token: 'tok_0123456789abcdef' } } });
  });

  it('rejects a URL that is not http(s), and both token variables at once', () => {
    const bad = readPortalEnv({ CONSILIUM_HUB_URL: 'ftp://hub' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]).toContain('CONSILIUM_HUB_URL');
    const both = readPortalEnv({ CONSILIUM_ADMIN_TOKEN: 'tok_0123456789abcdef', CONSILIUM_ADMIN_TOKEN_FILE: '/run/secrets/token' });
    expect(both).toEqual({ ok: false, problems: ['Set either CONSILIUM_ADMIN_TOKEN or CONSILIUM_ADMIN_TOKEN_FILE, not both'] });
  });
});

describe('resolveAdminToken', () => {
  it('reads a token file (trimmed) and explains a missing one without leaking anything', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'portal-env-'));
    const file = path.join(dir, 'admin-token');
    await writeFile(file, 'tok_0123456789abcdef\n');
    expect(await resolveAdminToken({ kind: 'file', path: file })).toEqual({ ok: true, token: 'tok_0123456789abcdef' });
    const missing = await resolveAdminToken({ kind: 'file', path: path.join(dir, 'nope') });
    expect(missing).toEqual({ ok: false, problem: `CONSILIUM_ADMIN_TOKEN_FILE (${path.join(dir, 'nope')}) cannot be read (ENOENT).` });
    expect((await resolveAdminToken({ kind: 'none' })).ok).toBe(false);
  });
});
