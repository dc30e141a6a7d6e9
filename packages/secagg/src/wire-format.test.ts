import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, randomVector, runCeremony } from '../test/support.ts';
import { addCiphertexts, validateCiphertext } from './aggregation.ts';
import { createCkksContext, type CkksContext } from './context.ts';
import { encryptVector } from './encryption.ts';
import { addWireCiphertext, expandCiphertext, packCiphertext, readWireCiphertext, wireCiphertextBytes } from './wire-format.ts';

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

  it('adds a read wire ciphertext into an accumulator byte for byte as expanding and adding would, leaving the accumulator untouched', () => {
    // Arrange
    const wires = ciphertexts.map((c) => packCiphertext(ctx, c, SCALE_BITS));
    const shifted = new Uint8Array(wires[1]!.byteLength + 5);
    shifted.set(wires[1]!, 5);

    // Act
    const first = addWireCiphertext(ctx, null, readWireCiphertext(ctx, wires[0]!, { scaleBits: SCALE_BITS }));
    const before = first.slice();
    const sum = addWireCiphertext(ctx, first, readWireCiphertext(ctx, shifted.subarray(5), { scaleBits: SCALE_BITS }));

    // Assert
    expect(first).toEqual(ciphertexts[0]);
    expect(sum).toEqual(addCiphertexts(ctx, ciphertexts[0]!, ciphertexts[1]!));
    expect(first).toEqual(before);
    expect(() => validateCiphertext(ctx, sum, { scaleBits: SCALE_BITS })).not.toThrow();
  });

  it('refuses to add into an accumulator of another scale or length, and reads with the same checks as expandCiphertext', () => {
    const wire = packCiphertext(ctx, ciphertexts[0]!, SCALE_BITS);
    const read = readWireCiphertext(ctx, wire, { scaleBits: SCALE_BITS });
    const otherScale = packCiphertext(ctx, encryptVector(ctx, runCeremony(ctx, 2, 2).publicKey, randomVector(8, 1), SCALE_BITS - 2)[0]!, SCALE_BITS - 2);
    const accumulatorAtOtherScale = expandCiphertext(ctx, otherScale, { scaleBits: SCALE_BITS - 2 });
    expectAppError(() => addWireCiphertext(ctx, accumulatorAtOtherScale, read), ErrorCode.INVALID_INPUT, /not a \d+-byte ciphertext of this study's parameters at scale 2\^40/);
    expectAppError(() => addWireCiphertext(ctx, ciphertexts[0]!.subarray(1), read), ErrorCode.INVALID_INPUT, /accumulator is not/);
    const big = wire.slice();
    big.fill(0xff, 8, 16);
    expectAppError(() => readWireCiphertext(ctx, big, { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, /coefficient 0 is not below its prime/);
  });

  it('names the exact coefficient not below its prime, wherever it lies in a group of the 60-bit fast path', () => {
    const wire = packCiphertext(ctx, ciphertexts[0]!, SCALE_BITS);
    for (const k of [0, 7, 13, 4095, 4096 + 3, 2 * 4096 - 1]) {
      const bad = wire.slice();
      setBits(bad, 8 * 8 + 60 * k, 60); // all ones: 2^60 − 1 is not below the 60-bit prime
      expectAppError(() => readWireCiphertext(ctx, bad, { scaleBits: SCALE_BITS }), ErrorCode.INVALID_CIPHERTEXT, new RegExp(`coefficient ${k} is not below its prime`));
    }
  });

  it('round-trips with primes that are not 60 bits (the generic reader)', async () => {
    const other = await createCkksContext({ ...DEFAULT_PARAMS, coeffModulusBits: [50, 40] });
    try {
      const { publicKey } = runCeremony(other, 2, 2);
      const [ciphertext] = encryptVector(other, publicKey, randomVector(100, 1), 30);
      const wire = packCiphertext(other, ciphertext!, 30);
      expect(wire.byteLength).toBe(8 + (2 * 4096 * 50) / 8);
      expect(expandCiphertext(other, wire, { scaleBits: 30 })).toEqual(ciphertext);
      expect(addWireCiphertext(other, ciphertext!, readWireCiphertext(other, wire, { scaleBits: 30 }))).toEqual(addCiphertexts(other, ciphertext!, ciphertext!));
    } finally {
      other.dispose();
    }
  });
});

/** Sets `count` bits from bit `pos` of `bytes` (least significant first) to one. */
function setBits(bytes: Uint8Array, pos: number, count: number): void {
  for (let bit = pos; bit < pos + count; bit++) bytes[bit >>> 3]! |= 1 << (bit & 7);
}
