import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../testing/errors.ts';
import { checkPasswordPolicy, DEFAULT_SCRYPT_PARAMS, generateOneTimePassword, hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from './password.ts';

describe('password hashing', { timeout: 30_000 }, () => {
  const password = 'correct horse battery staple';

  it('encodes scrypt with its parameters, a 16-byte salt and a 32-byte hash', async () => {
    const encoded = await hashPassword(password);

    const [scheme, n, r, p, salt, hash, ...rest] = encoded.split('$');
    expect({ scheme, n: Number(n), r: Number(r), p: Number(p), rest }).toEqual({ scheme: 'scrypt', n: 2 ** 15, r: 8, p: 1, rest: [] });
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    expect(encoded).not.toContain(password);
  });

  it('uses a fresh salt for every hash of the same password', async () => {
    const [first, second] = await Promise.all([hashPassword(password), hashPassword(password)]);

    expect(first).not.toBe(second);
    expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword(password);

    expect(await verifyPassword(password, encoded)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const encoded = await hashPassword('caf\u00e9 au lait, merci');

    expect(await verifyPassword('cafe\u0301 au lait, merci', encoded)).toBe(true);
  });

  it('still verifies hashes made with other (stronger) parameters, which travel with the hash', async () => {
    const stronger = await hashPassword(password, { ...DEFAULT_SCRYPT_PARAMS, N: 2 ** 16 });

    expect(stronger.startsWith('scrypt$65536$8$1$')).toBe(true);
    expect(await verifyPassword(password, stronger)).toBe(true);
  });

  it('matches nothing against a malformed or tampered hash', async () => {
    const encoded = await hashPassword(password);
    const parts = encoded.split('$');
    const flipped = Buffer.from(parts[5]!, 'base64');
    flipped[0] = flipped[0]! ^ 1;

    expect(await verifyPassword(password, [...parts.slice(0, 5), flipped.toString('base64')].join('$'))).toBe(false);
    expect(await verifyPassword(password, encoded.replace('scrypt$32768', 'scrypt$33000'))).toBe(false);
    expect(await verifyPassword(password, encoded.replace('scrypt$32768', 'scrypt$1073741824'))).toBe(false);
    expect(await verifyPassword(password, 'plain')).toBe(false);
  });

  it(`refuses passwords shorter than ${PASSWORD_MIN_LENGTH} characters, saying so`, async () => {
    const error = await rejectionOf(hashPassword('short pass'));

    expect(error.code).toBe(ErrorCode.INVALID_INPUT);
    expect(error.message).toContain('at least 12 characters (this one has 10)');
    expect(error.details).toEqual({ field: 'password', minLength: 12 });
    expect(() => checkPasswordPolicy('twelve chars')).not.toThrow();
  });
});

describe('one-time passwords', () => {
  it('are 20 unambiguous characters in groups of five, different every time', () => {
    const passwords = Array.from({ length: 50 }, generateOneTimePassword);

    for (const p of passwords) expect(p).toMatch(/^[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{5}){3}$/);
    expect(new Set(passwords).size).toBe(50);
    expect(() => checkPasswordPolicy(passwords[0]!)).not.toThrow();
  });
});
