import { describe, expect, it } from 'vitest';
import { sha256Hex, timingSafeEqualHex } from './hashing.ts';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes a list of parts as their concatenation', () => {
    const whole = Buffer.from('consilium federated learning');
    const parts = [whole.subarray(0, 3), whole.subarray(3, 3), whole.subarray(3, 17), whole.subarray(17)];
    expect(sha256Hex(parts)).toBe(sha256Hex(whole));
    expect(sha256Hex([])).toBe(sha256Hex(new Uint8Array(0)));
  });

  it('hashes strings as UTF-8', () => {
    expect(sha256Hex('Zürich')).toBe(sha256Hex(Buffer.from('Zürich', 'utf8')));
  });

  it('hashes only the bytes a view covers', () => {
    const backing = Buffer.from('xxabcxx');
    expect(sha256Hex(backing.subarray(2, 5))).toBe(sha256Hex('abc'));
  });
});

describe('timingSafeEqualHex', () => {
  const digest = sha256Hex('abc');

  it('is true for the same digest, in either case', () => {
    expect(timingSafeEqualHex(digest, sha256Hex('abc'))).toBe(true);
    expect(timingSafeEqualHex(digest, digest.toUpperCase())).toBe(true);
  });

  it('is false for different digests or lengths', () => {
    expect(timingSafeEqualHex(digest, sha256Hex('abd'))).toBe(false);
    expect(timingSafeEqualHex(digest, digest.slice(0, 62))).toBe(false);
  });

  it('is false for input that is not hex, even when both sides are equal strings', () => {
    // Buffer.from('zz', 'hex') decodes to nothing, so a lenient comparison would call these equal.
    expect(timingSafeEqualHex('zz', 'zz')).toBe(false);
    expect(timingSafeEqualHex('abc', 'abc')).toBe(false);
  });
});
