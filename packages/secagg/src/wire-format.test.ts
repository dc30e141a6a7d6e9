import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, randomVector, runCeremony } from '../test/support.ts';
import { addCiphertexts, validateCiphertext } from './aggregation.ts';
import { createCkksContext, type CkksContext } from './context.ts';
import { encryptVector } from './encryption.ts';
import { expandCiphertext, packCiphertext, wireCiphertextBytes } from './wire-format.ts';

const SCALE_BITS = 40;

describe('wire format of uploaded ciphertexts', () => {
  let ctx: CkksContext;
  let ciphertexts: Uint8Array[];

  beforeAll(async () => {
    ctx = await createCkksContext(DEFAULT_PARAMS);
    const { publicKey } = runCeremony(ctx, 3, 2);
    ciphertexts = encryptVector(ctx, publicKey, randomVector(2 * ctx.valuesPerChunk, 10), SCALE_BITS);
  });
  afterAll(() => ctx.dispose());

  it('takes at most 15.01 bytes per value (60-bit coefficients in 60 bits) and round-trips byte for byte', () => {
    for (const ciphertext of ciphertexts) {
      const wire = packCiphertext(ctx, ciphertext, SCALE_BITS);
      expect(wire.byteLength).toBe(wireCiphertextBytes(ctx));
      expect(wire.byteLength / ctx.valuesPerChunk).toBeLessThan(15.01);
      const expanded = expandCiphertext(ctx, wire, { scaleBits: SCALE_BITS });
      expect(expanded).toEqual(ciphertext);
      expect(() => validateCiphertext(ctx, expanded, { scaleBits: SCALE_BITS })).not.toThrow();
    }
    // An unaligned view (as inside an envelope) reads the same.
    const wire = packCiphertext(ctx, ciphertexts[1]!, SCALE_BITS);
    const shifted = new Uint8Array(wire.byteLength + 3);
    shifted.set(wire, 3);
    expect(addCiphertexts(ctx, expandCiphertext(ctx, shifted.subarray(3), { scaleBits: SCALE_BITS }), ciphertexts[0]!)).toEqual(addCiphertexts(ctx, ciphertexts[1]!, ciphertexts[0]!));
  });

  it('refuses a wrong length, magic, scale or reserved byte, and a coefficient not below its prime', () => {
    const wire = packCiphertext(ctx, ciphertexts[0]!, SCALE_BITS);
    expectAppError(() => expandCiphertext(ctx, wire.subarray(1), { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, /expected \d+ bytes in the wire format/);
    const badMagic = wire.slice();
    badMagic[0] = 0;
    expectAppError(() => expandCiphertext(ctx, badMagic, { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, /not in the wire format/);
    const reserved = wire.slice();
    reserved[6] = 1;
    expectAppError(() => expandCiphertext(ctx, reserved, { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, /not in the wire format/);
    expectAppError(() => expandCiphertext(ctx, wire, { scaleBits: SCALE_BITS + 1 }), ErrorCode.INVALID_CIPHERTEXT, /scale 2\^40, expected exactly 2\^41/);
    // All ones in coefficient 0's 60 bits: 2^60 − 1 is not below the 60-bit prime.
    const big = wire.slice();
    big.fill(0xff, 8, 16);
    expectAppError(() => expandCiphertext(ctx, big, { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, /coefficient 0 is not below its prime/);
  });
});
