import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, runCeremony } from '../test/support.ts';
import { validateCiphertext } from './aggregation.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { partialDecrypt, validateDecryptionShare } from './decryption.ts';
import { encryptVector } from './encryption.ts';
import { validatePublicKey, validatePublicKeyShare } from './key-ceremony.ts';
import { sealHeapBytes } from './seal-module.ts';

/**
 * Property tests: whatever bytes arrive, validation ends in an INVALID_CIPHERTEXT AppError or
 * acceptance, never a crash or another error, and rejected input leaks nothing into the WASM heap.
 */

const SCALE_BITS = 40;
let ctx: CkksContext;
let ciphertext: Uint8Array;
let publicKey: Uint8Array;
let publicKeyShare: Uint8Array;
let decryptionShare: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  const ceremony = runCeremony(ctx, 2);
  publicKey = ceremony.publicKey;
  publicKeyShare = ceremony.publicKeyShares[0]!;
  ciphertext = encryptVector(ctx, publicKey, Float64Array.of(1, 2, 3), SCALE_BITS)[0]!;
  decryptionShare = partialDecrypt(ctx, ceremony.secretShares[0]!, ciphertext);
});
afterAll(() => ctx.dispose());

/** Valid bytes with a few bytes overwritten (mostly in the metadata), possibly truncated or extended. */
function mutants(valid: Uint8Array, metadataBytes: number): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({ offset: fc.oneof(fc.nat({ max: metadataBytes - 1 }), fc.nat({ max: valid.length - 1 })), value: fc.nat({ max: 255 }) });
  return fc
    .record({
      edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
      length: fc.oneof(fc.constant(valid.length), fc.nat({ max: valid.length + 16 })),
    })
    .map(({ edits, length }) => {
      const bytes = new Uint8Array(length);
      bytes.set(valid.subarray(0, Math.min(length, valid.length)));
      for (const { offset, value } of edits) if (offset < length) bytes[offset] = value;
      return bytes;
    });
}

/** Valid bytes with a few coefficient bytes overwritten (many stay below the prime). */
function coefficientMutants(valid: Uint8Array, dataOffset: number): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({ offset: fc.integer({ min: dataOffset, max: valid.length - 1 }), value: fc.nat({ max: 255 }) });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const bytes = new Uint8Array(valid);
    for (const { offset, value } of edits) bytes[offset] = value;
    return bytes;
  });
}

/** Runs `validate` and reports whether it accepted; anything but an INVALID_CIPHERTEXT AppError fails. */
function acceptsOrRejectsCleanly(validate: () => void): boolean {
  try {
    validate();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.INVALID_CIPHERTEXT);
    return false;
  }
}

describe('validateCiphertext against random and mutated bytes', () => {
  it('only INVALID_CIPHERTEXT AppErrors come out, and the WASM heap does not grow', () => {
    // The third kind edits only coefficients, so many inputs pass the parse and reach SEAL's load.
    const input = fc.oneof(fc.uint8Array({ maxLength: 256 }), mutants(ciphertext, 128), coefficientMutants(ciphertext, 113));
    const run = (numRuns: number): number => {
      let accepted = 0;
      fc.assert(
        fc.property(input, (bytes) => {
          if (acceptsOrRejectsCleanly(() => validateCiphertext(ctx, bytes, { scaleBits: SCALE_BITS }))) accepted++;
        }),
        { numRuns },
      );
      return accepted;
    };
    run(50);
    const heapBefore = sealHeapBytes();
    const accepted = run(600);
    expect(sealHeapBytes()).toBe(heapBefore);
    // Enough inputs were loaded by SEAL for a leaked object per load to outgrow the heap.
    expect(accepted).toBeGreaterThan(100);
  });

  it('300 accepted ciphertexts, each loaded by SEAL, leave the heap as it was', () => {
    const heapBefore = sealHeapBytes();
    for (let i = 0; i < 300; i++) validateCiphertext(ctx, ciphertext, { scaleBits: SCALE_BITS });
    expect(sealHeapBytes()).toBe(heapBefore);
  });
});

describe('other validators against mutated bytes', () => {
  it('public key', () => {
    fc.assert(
      fc.property(mutants(publicKey, 128), (bytes) => {
        acceptsOrRejectsCleanly(() => validatePublicKey(ctx, bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('public key share and decryption share', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutants(publicKeyShare, 96)), (bytes) => {
        acceptsOrRejectsCleanly(() => validatePublicKeyShare(ctx, bytes));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutants(decryptionShare, 96)), (bytes) => {
        acceptsOrRejectsCleanly(() => validateDecryptionShare(ctx, bytes, { aggregate: ciphertext }));
      }),
      { numRuns: 300 },
    );
  });
});
