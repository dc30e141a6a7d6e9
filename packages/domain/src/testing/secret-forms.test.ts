import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formsOf, leaks, type Secret } from './secret-forms.ts';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const secrets = new Map<string, Secret>([
  ['identity key', pem],
  ['token', `cst_${randomBytes(24).toString('base64url')}`],
  ['box private key', new Uint8Array(randomBytes(32))],
  ['threshold share', new Uint8Array(randomBytes(1000))],
]);
const clean = ['{"level":30,"msg":"enrolled","siteId":"0b9c7d3e-7f4a-4a55-9a51-3c0b4c9f1f10"}', 'Nothing has left this site yet.'];

describe('secret forms', () => {
  it('finds nothing in clean lines', () => {
    expect(leaks(clean, secrets)).toEqual([]);
  });

  it('finds a planted secret in every one of its forms, wherever it sits in a line', () => {
    for (const [name, secret] of secrets) {
      const forms = formsOf(secret);
      // Bytes whose base64 has no '+' or '/' spell the same in base64url: forms are deduplicated, so count at least 3.
      expect(forms.length, name).toBeGreaterThanOrEqual(typeof secret === 'string' && !secret.includes('PRIVATE KEY') ? 1 : 3);
      for (const form of forms) {
        const planted = [...clean, JSON.stringify({ msg: 'oops', detail: `key=${form};` })];
        // A form may contain another (DER hex holds the seed's hex): one finding or more, all of this secret on that line.
        const found = leaks(planted, secrets, 'agent.log');
        expect(found.length, `${name} as ${form.slice(0, 20)}…`).toBeGreaterThan(0);
        for (const finding of found) expect(finding).toContain(`${name} appears in agent.log, line 3:`);
      }
    }
  });

  it('covers the spellings a key or byte string is logged in', () => {
    const bytes = secrets.get('box private key') as Uint8Array;
    const buffer = Buffer.from(bytes);
    for (const spelling of [buffer.toString('base64'), buffer.toString('base64url'), buffer.toString('hex'), buffer.toString('hex').toUpperCase()]) {
      expect(leaks([`value ${spelling}`], new Map([['box', bytes]]))).not.toEqual([]);
    }
    const der = generateKeyPairSync('ed25519').privateKey;
    const derPem = der.export({ type: 'pkcs8', format: 'pem' }).toString();
    const seed = der.export({ type: 'pkcs8', format: 'der' }).subarray(-32);
    for (const spelling of [derPem, derPem.split('\n')[1]!, seed.toString('base64'), seed.toString('base64url'), seed.toString('hex')]) {
      expect(leaks([JSON.stringify({ key: spelling })], new Map([['key', derPem]]))).not.toEqual([]);
    }
  });

  it('refuses a secret too short to scan for', () => {
    expect(() => formsOf('abc')).toThrow(/too short/);
    expect(() => formsOf(new Uint8Array(4))).toThrow(/too short/);
  });
});
