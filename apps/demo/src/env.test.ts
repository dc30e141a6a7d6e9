import { describe, expect, it } from 'vitest';
import { childProcessEnv, readDemoEnv } from './env.ts';

describe('demo environment', () => {
  it('reads DATABASE_URL and the admin token, treating empty values as unset', () => {
    expect(readDemoEnv({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', CONSILIUM_ADMIN_TOKEN: '' })).toEqual({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' });
    expect(() => readDemoEnv({ DATABASE_URL: 'not a url' })).toThrow(/Invalid environment: DATABASE_URL/);
  });

  it('reads the portal\'s port', () => {
    expect(readDemoEnv({ CONSILIUM_PORTAL_PORT: '3100' })).toEqual({ CONSILIUM_PORTAL_PORT: 3100 });
    expect(() => readDemoEnv({ CONSILIUM_PORTAL_PORT: '70000' })).toThrow(/Invalid environment: CONSILIUM_PORTAL_PORT: must be a port number/);
    expect(() => readDemoEnv({ CONSILIUM_PORTAL_PORT: 'x' })).toThrow(/CONSILIUM_PORTAL_PORT: must be a port number/);
  });

  it('passes the shell\'s environment to the hub and agents, minus what would reconfigure them behind the demo\'s back', () => {
    expect(childProcessEnv({ PATH: '/bin', HOME: '/root', DATABASE_URL: 'postgres://x', CONSILIUM_PORT: '4000', CONSILIUM_DATA: 'a.csv', LANG: undefined })).toEqual({
      PATH: '/bin',
      HOME: '/root',
    });
  });
});
