import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, mutated } from '../test/support.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import type { RnsLevel } from './rns.ts';
import { buildShare, parseShare, sameShareHeader, SHARE_HEADER_BYTES, shareByteLength, ShareKind } from './share-format.ts';

let ctx: CkksContext;
let keyLevel: RnsLevel;
let dataLevel: RnsLevel;
let coefficients: Uint32Array;
let binding: Uint8Array;
let share: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ({ key: keyLevel, data: dataLevel } = rnsLevels(ctx));
  coefficients = expandCrp(keyLevel, new Uint8Array(randomBytes(32)));
  binding = new Uint8Array(randomBytes(32));
  share = buildShare(ShareKind.publicKey, keyLevel, binding, coefficients);
});
afterAll(() => ctx.dispose());

describe('share format', () => {
  it('roundtrips, with the documented header and size', () => {
    expect(share.length).toBe(80 + 8 * 2 * 4096);
    expect(shareByteLength(keyLevel)).toBe(share.length);
    expect(shareByteLength(dataLevel)).toBe(ctx.decryptionShareBytes);
    expect(new TextDecoder().decode(share.subarray(0, 4))).toBe('CSAG');
    expect([share[4], share[5]]).toEqual([1, ShareKind.publicKey]);
    expect((share.byteOffset + SHARE_HEADER_BYTES) % 8).toBe(0);
    const parsed = parseShare(share, ShareKind.publicKey, keyLevel);
    expect(parsed.coefficients).toEqual(coefficients);
    expect(parsed.binding).toEqual(binding);
    // An unaligned copy parses the same.
    const unaligned = new Uint8Array(share.length + 1).subarray(1);
    unaligned.set(share);
    expect(parseShare(unaligned, ShareKind.publicKey, keyLevel).coefficients).toEqual(coefficients);
  });

  it('rejects every bad field by name', () => {
    const reject = (bytes: Uint8Array, field: RegExp, kind: ShareKind = ShareKind.publicKey, level = keyLevel): void => {
      expectAppError(() => parseShare(bytes, kind, level), ErrorCode.INVALID_CIPHERTEXT, field);
    };
    reject(share.subarray(0, 40), /header is truncated/);
    reject(share.subarray(0, share.length - 8), /length is 65608 bytes, expected exactly 65616/);
    reject(new Uint8Array([...share, 0]), /length/);
    reject(mutated(share, (view) => view.setUint8(0, 0x58)), /magic/);
    reject(mutated(share, (view) => view.setUint8(4, 2)), /version is 2/);
    reject(share, /kind is 1, expected 2 \(decryption share; got public key share\)/, ShareKind.decryption, keyLevel);
    reject(mutated(share, (view) => view.setUint8(5, 9)), /got an unknown kind/);
    reject(mutated(share, (view) => view.setUint16(6, 1, true)), /point is 1, expected 0/);
    reject(mutated(share, (view) => view.setUint32(8, 8192, true)), /poly_modulus_degree is 8192/);
    reject(mutated(share, (view) => view.setUint32(12, 1, true)), /prime_count is 1, expected 2/);
    reject(mutated(share, (view) => view.setUint8(20, share[20]! ^ 1)), /parms_id/);
    const q1 = keyLevel.primes[1]!.value;
    reject(mutated(share, (view) => view.setBigUint64(80 + 8 * (4096 + 3), q1, true)), /coefficient 4099 is not below its prime/);
    expectAppError(() => parseShare('CSAG' as unknown as Uint8Array, ShareKind.publicKey, keyLevel), ErrorCode.INVALID_INPUT);
  });

  it('carries the committee point of dealt and threshold key shares, and only theirs', () => {
    for (const kind of [ShareKind.dealt, ShareKind.thresholdKey]) {
      const pointed = buildShare(kind, keyLevel, binding, coefficients, 65535);
      expect(new DataView(pointed.buffer, pointed.byteOffset).getUint16(6, true)).toBe(65535);
      expect(parseShare(pointed, kind, keyLevel).point).toBe(65535);
      expectAppError(() => parseShare(mutated(pointed, (view) => view.setUint16(6, 0, true)), kind, keyLevel), ErrorCode.INVALID_CIPHERTEXT, /point is 0, expected a committee point/);
      expectAppError(() => buildShare(kind, keyLevel, binding, coefficients), ErrorCode.INTERNAL, /point 0/);
      expectAppError(() => buildShare(kind, keyLevel, binding, coefficients, 65536), ErrorCode.INTERNAL, /point 65536/);
    }
    expect(parseShare(share, ShareKind.publicKey, keyLevel).point).toBe(0);
    expectAppError(() => buildShare(ShareKind.publicKey, keyLevel, binding, coefficients, 3), ErrorCode.INTERNAL, /point 3 for a public key share/);
    const dealt = buildShare(ShareKind.dealt, keyLevel, binding, coefficients, 2);
    expect(sameShareHeader(dealt, buildShare(ShareKind.dealt, keyLevel, binding, coefficients, 3))).toBe(false);
  });

  it('sameShareHeader compares kind, level and binding', () => {
    expect(sameShareHeader(share, buildShare(ShareKind.publicKey, keyLevel, binding, new Uint32Array(coefficients.length)))).toBe(true);
    expect(sameShareHeader(share, buildShare(ShareKind.publicKey, keyLevel, new Uint8Array(32), coefficients))).toBe(false);
    expect(sameShareHeader(share, share.subarray(0, 10))).toBe(false);
  });

  it('refuses to build from inconsistent input (a bug, not bad data)', () => {
    expectAppError(() => buildShare(ShareKind.decryption, dataLevel, binding, coefficients), ErrorCode.INTERNAL);
    expectAppError(() => buildShare(ShareKind.publicKey, keyLevel, new Uint8Array(31), coefficients), ErrorCode.INTERNAL);
  });
});
