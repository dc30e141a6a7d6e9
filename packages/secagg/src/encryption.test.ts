import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, decryptWithJointKey, expectAppError, maxAbsDifference, mutated, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { validateCiphertext } from './aggregation.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { encryptVector, encryptVectorChunks } from './encryption.ts';
import { chooseScaleBits } from './scale.ts';
import { sealHeapBytes } from './seal-module.ts';

let ctx: CkksContext;
let ceremony: Ceremony;
let scaleBits: number;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 2);
  scaleBits = chooseScaleBits(ctx, 64);
});
afterAll(() => ctx.dispose());

describe('encryptVector', () => {
  it('packs N values per ciphertext, about 16 bytes per value', () => {
    expect(ctx.valuesPerChunk).toBe(4096);
    expect(ctx.ciphertextBytes).toBe(65649);
    expect(ctx.ciphertextBytes / ctx.valuesPerChunk).toBeLessThan(16.03);
  });

  it('chunks a long vector, pads the last chunk with zeros and reports progress', () => {
    const values = randomVector(9000, 64);
    const progress: [number, number][] = [];
    const chunks = encryptVector(ctx, ceremony.publicKey, values, scaleBits, { onProgress: (done, total) => progress.push([done, total]) });
    expect(chunks).toHaveLength(3);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    for (const chunk of chunks) {
      expect(chunk).toHaveLength(ctx.ciphertextBytes);
      validateCiphertext(ctx, chunk, { scaleBits });
    }
    const decrypted = chunks.map((chunk) => decryptWithJointKey(ctx, ceremony.secretShares, chunk));
    expect(decrypted[0]).toHaveLength(4096);
    expect(maxAbsDifference(decrypted[0]!, values.subarray(0, 4096))).toBeLessThan(1e-9);
    expect(maxAbsDifference(decrypted[1]!, values.subarray(4096, 8192))).toBeLessThan(1e-9);
    expect(maxAbsDifference(decrypted[2]!, values.subarray(8192))).toBeLessThan(1e-9);
    expect(maxAbsDifference(decrypted[2]!.subarray(808), new Float64Array(4096 - 808))).toBeLessThan(1e-9);
  });

  it('carries the two halves of a chunk independently, up to the bound in both', () => {
    const signs = Float64Array.from({ length: 4096 }, () => (Math.random() < 0.5 ? -64 : 64));
    const realOnly = new Float64Array(4096);
    realOnly.set(signs.subarray(0, 2048));
    const imaginaryOnly = new Float64Array(4096);
    imaginaryOnly.set(signs.subarray(2048), 2048);
    for (const values of [signs, realOnly, imaginaryOnly, signs.subarray(0, 2049), new Float64Array(4096)]) {
      const [chunk] = encryptVector(ctx, ceremony.publicKey, values, scaleBits);
      const decrypted = decryptWithJointKey(ctx, ceremony.secretShares, chunk!);
      expect(maxAbsDifference(decrypted, values)).toBeLessThan(1e-9);
      expect(maxAbsDifference(decrypted.subarray(values.length), new Float64Array(4096 - values.length))).toBeLessThan(1e-9);
    }
  });

  it('encrypts the same values differently every time', () => {
    const values = Float64Array.of(1, 2, 3);
    expect(encryptVector(ctx, ceremony.publicKey, values, scaleBits)[0]).not.toEqual(encryptVector(ctx, ceremony.publicKey, values, scaleBits)[0]);
  });

  it('accepts values up to the budget and throws ENCODING_RANGE beyond it, naming the value', () => {
    expect(encryptVector(ctx, ceremony.publicKey, Float64Array.of(-64, 64), scaleBits)).toHaveLength(1);
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, Float64Array.from({ length: 3000 }, (_, i) => (i === 2500 ? 65 : 1)), scaleBits), ErrorCode.ENCODING_RANGE, /#2500/);
    const tooLarge = Float64Array.of(1, 2, -64.001);
    const error = expectAppError(() => encryptVector(ctx, ceremony.publicKey, tooLarge, scaleBits), ErrorCode.ENCODING_RANGE, /value #2 \(-64\.001\).*up to 64/);
    expect(error.details).toMatchObject({ index: 2, maxAbs: 64, scaleBits });
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, Float64Array.of(Number.NaN), scaleBits), ErrorCode.ENCODING_RANGE, /NaN/);
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, Float64Array.of(0, Number.NEGATIVE_INFINITY), scaleBits), ErrorCode.ENCODING_RANGE, /#1/);
    // The same value fits a smaller scale.
    expect(encryptVector(ctx, ceremony.publicKey, tooLarge, scaleBits - 1)).toHaveLength(1);
  });

  it('streams: one ciphertext per step, arguments checked before the first, SEAL objects freed on an early exit', () => {
    const values = randomVector(3 * 4096, 64);
    let progress = 0;
    const stream = encryptVectorChunks(ctx, ceremony.publicKey, values, scaleBits, { onProgress: (done) => (progress = done) });
    expect(progress).toBe(0);
    const first = stream.next();
    expect(progress).toBe(1);
    expect(maxAbsDifference(decryptWithJointKey(ctx, ceremony.secretShares, first.value as Uint8Array), values)).toBeLessThan(1e-9);
    expect(stream.return(undefined).done).toBe(true);
    expect(progress).toBe(1);
    expectAppError(() => encryptVectorChunks(ctx, ceremony.publicKey, Float64Array.of(65), scaleBits), ErrorCode.ENCODING_RANGE);
    const heapBefore = sealHeapBytes();
    for (let i = 0; i < 30; i++) {
      for (const chunk of encryptVectorChunks(ctx, ceremony.publicKey, values, scaleBits)) {
        expect(chunk).toHaveLength(ctx.ciphertextBytes);
        break;
      }
    }
    expect(sealHeapBytes()).toBe(heapBefore);
  });

  it('takes the collective public key in a Node Buffer at any offset, with one data prime or several (where SEAL loads the caller\'s bytes)', async () => {
    const multi = await createCkksContext({ polyModulusDegree: 4096, coeffModulusBits: [40, 30, 38], smudgingSigmaBits: 20 });
    try {
      const multiCeremony = runCeremony(multi, 2);
      const values = Float64Array.of(1.5, -2.25, 3);
      for (const [c, keys, bits] of [
        [ctx, ceremony, scaleBits],
        [multi, multiCeremony, 30],
      ] as const) {
        for (const shift of [0, 3]) {
          const key = Buffer.from(new ArrayBuffer(keys.publicKey.length + shift + 1), shift, keys.publicKey.length);
          key.set(keys.publicKey);
          const [chunk] = encryptVector(c, key, values, bits);
          validateCiphertext(c, chunk!, { scaleBits: bits });
          expect(maxAbsDifference(decryptWithJointKey(c, keys.secretShares, chunk!).subarray(0, 3), values)).toBeLessThan(1e-4);
        }
      }
    } finally {
      multi.dispose();
    }
  });

  it('rejects bad arguments and a bad public key before encrypting anything', () => {
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, new Float64Array(0), scaleBits), ErrorCode.INVALID_INPUT, /non-empty/);
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, [1, 2] as unknown as Float64Array, scaleBits), ErrorCode.INVALID_INPUT);
    expectAppError(() => encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), 57), ErrorCode.INVALID_INPUT, /scaleBits/);
    const q = ctx.keyModuli[0]!;
    const badKey = mutated(ceremony.publicKey, (view) => view.setBigUint64(113, q, true));
    expectAppError(() => encryptVector(ctx, badKey, Float64Array.of(1), scaleBits), ErrorCode.INVALID_CIPHERTEXT, /collective public key: data coefficient 0/);
    expectAppError(() => encryptVector(ctx, ceremony.secretShares[0]!, Float64Array.of(1), scaleBits), ErrorCode.INVALID_CIPHERTEXT);
  });
});
