import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hashing.ts';
import { fingerprint, generateIdentity, parsePrivateKey, parsePublicKey, publicKeyFromPrivate } from './identity.ts';
import { catchAppError } from './test-utils.ts';

const fromHex = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** The eight points of order dividing 8, canonically encoded (the libsodium blocklist). */
const SMALL_ORDER_POINTS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

describe('generateIdentity', () => {
  it('produces a raw 32-byte public key that verifies signatures of its private key', () => {
    const identity = generateIdentity();
    expect(Buffer.from(identity.publicKey, 'base64')).toHaveLength(32);
    expect(identity.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const message = Buffer.from('hello');
    const signature = sign(null, message, parsePrivateKey(identity.privateKeyPem));
    expect(verify(null, message, parsePublicKey(identity.publicKey), signature)).toBe(true);
  });

  it('derives the same public key back from the private key', () => {
    const identity = generateIdentity();
    expect(publicKeyFromPrivate(identity.privateKeyPem)).toBe(identity.publicKey);
  });
});

describe('parsePrivateKey', () => {
  it('rejects text that is not a PEM key, without echoing it', () => {
    const error = catchAppError(() => parsePrivateKey('-----BEGIN PRIVATE KEY-----\nsecret\n'), ErrorCode.INVALID_INPUT);
    expect(error.message).toMatch(/not a readable, unencrypted PEM private key/);
    expect(error.message).not.toContain('secret');
  });

  it('rejects keys of another algorithm, naming it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(catchAppError(() => publicKeyFromPrivate(pem), ErrorCode.INVALID_INPUT).message).toMatch(/is a ec key; .* Ed25519/);
  });
});

describe('parsePublicKey', () => {
  it('accepts freshly generated keys', () => {
    for (let i = 0; i < 50; i += 1) expect(parsePublicKey(generateIdentity().publicKey).asymmetricKeyType).toBe('ed25519');
  });

  it('rejects non-canonical base64 spellings', () => {
    const key = generateIdentity().publicKey;
    const spellings = [key.replace(/=+$/, ''), ` ${key}`, `${key}\n`, key.replaceAll('+', '-').replaceAll('/', '_'), 'not base64!'];
    for (const spelling of spellings.filter((s) => s !== key)) {
      expect(catchAppError(() => parsePublicKey(spelling), ErrorCode.INVALID_INPUT).message).toMatch(/canonical padded base64/);
    }
    // "…AAF=" decodes to the same bytes as "…AAE=" in Buffer (the low bits of F are padding).
    const canonical = fromHex('00'.repeat(31) + '01');
    expect(canonical.endsWith('AAE=')).toBe(true);
    const sloppy = `${canonical.slice(0, -2)}F=`;
    expect(Buffer.from(sloppy, 'base64').equals(Buffer.from(canonical, 'base64'))).toBe(true);
    expect(catchAppError(() => parsePublicKey(sloppy), ErrorCode.INVALID_INPUT).message).toMatch(/canonical padded base64/);
  });

  it('rejects keys that are not 32 bytes, recognising an SPKI export', () => {
    expect(catchAppError(() => parsePublicKey(fromHex('01'.repeat(31))), ErrorCode.INVALID_INPUT).message).toMatch(/decodes to 31 bytes/);
    expect(catchAppError(() => parsePublicKey(fromHex('01'.repeat(33))), ErrorCode.INVALID_INPUT).message).toMatch(/decodes to 33 bytes/);
    const { publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(catchAppError(() => parsePublicKey(spki), ErrorCode.INVALID_INPUT).message).toMatch(/SPKI\/DER/);
  });

  it('rejects encodings that are not points on the curve', () => {
    // y = 2 has no x: (y² − 1) / (d·y² + 1) is not a square mod p.
    const error = catchAppError(() => parsePublicKey(fromHex('02' + '00'.repeat(31))), ErrorCode.INVALID_INPUT);
    expect(error.message).toMatch(/not a point on the Ed25519 curve/);
  });

  it('rejects non-canonical encodings (y ≥ p, or x = 0 with the sign bit set)', () => {
    const yEqualsP = 'ed' + 'ff'.repeat(30) + '7f';
    const negativeZero = '01' + '00'.repeat(30) + '80';
    for (const hex of [yEqualsP, negativeZero]) {
      expect(catchAppError(() => parsePublicKey(fromHex(hex)), ErrorCode.INVALID_INPUT).message).toMatch(/not a canonical/);
    }
  });

  it('rejects every small-order point', () => {
    for (const hex of SMALL_ORDER_POINTS) {
      expect(catchAppError(() => parsePublicKey(fromHex(hex)), ErrorCode.INVALID_INPUT).details).toEqual({ problem: 'small-order' });
    }
  });
});

describe('fingerprint', () => {
  it('is the first 64 bits of the SHA-256 of the raw key, in groups of four', () => {
    const { publicKey } = generateIdentity();
    const expected = sha256Hex(Buffer.from(publicKey, 'base64')).slice(0, 16);
    const shown = fingerprint(publicKey);
    expect(shown).toMatch(/^[0-9a-f]{4}(?::[0-9a-f]{4}){3}$/);
    expect(shown.replaceAll(':', '')).toBe(expected);
  });

  it('differs between keys and validates its input', () => {
    expect(fingerprint(generateIdentity().publicKey)).not.toBe(fingerprint(generateIdentity().publicKey));
    catchAppError(() => fingerprint('AAAA'), ErrorCode.INVALID_INPUT);
  });
});
