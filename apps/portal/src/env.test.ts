import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_URL, readPortalEnv } from './env.ts';

describe('readPortalEnv', () => {
  it('defaults the hub URL and says so', () => {
    expect(readPortalEnv({})).toEqual({ ok: true, env: { hubUrl: DEFAULT_HUB_URL, hubUrlConfigured: false } });
  });

  it('reads the hub URL (without a trailing slash); empty values count as unset', () => {
    expect(readPortalEnv({ CONSILIUM_HUB_URL: 'https://hub.example.org/' })).toEqual({ ok: true, env: { hubUrl: 'https://hub.example.org', hubUrlConfigured: true } });
    expect(readPortalEnv({ CONSILIUM_HUB_URL: '' })).toEqual({ ok: true, env: { hubUrl: DEFAULT_HUB_URL, hubUrlConfigured: false } });
  });

  it('rejects a URL that is not http(s)', () => {
    const bad = readPortalEnv({ CONSILIUM_HUB_URL: 'ftp://hub' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]).toContain('CONSILIUM_HUB_URL');
  });

  it('no longer reads an administrator token: the portal has no credentials of its own', () => {
    const result = readPortalEnv({ CONSILIUM_ADMIN_TOKEN: 'cadm_0123456789abcdef', CONSILIUM_ADMIN_TOKEN_FILE: '/run/secrets/token' });
    expect(result).toEqual({ ok: true, env: { hubUrl: DEFAULT_HUB_URL, hubUrlConfigured: false } });
  });
});
