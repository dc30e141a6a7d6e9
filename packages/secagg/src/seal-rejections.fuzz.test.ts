import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_PARAMS, FUZZ_SCALE_BITS, seededCoefficients } from '../scripts/fuzz.ts';
import { validateCiphertext } from './aggregation.ts';
import { createCkksContext, internalsOf, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { callSeal } from './seal-call.ts';
import { sealHeapBytes } from './seal-module.ts';
import { buildCiphertext } from './serialization.ts';

/**
 * What happens to SEAL after many loads it refused. SEAL refuses bytes by throwing a C++ exception
 * through the WebAssembly boundary, and callSeal turns it into an AppError; the strict parsers keep
 * untrusted bytes from ever getting that far, so this only matters for whatever still reaches a
 * refusal (a parser gap, bad parameters).
 *
 * This file runs in its own worker on purpose: should the test below fail, SEAL is broken for the
 * rest of the worker.
 */

let ctx: CkksContext;
let ciphertext: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(FUZZ_PARAMS);
  const { data } = rnsLevels(ctx);
  ciphertext = buildCiphertext(data, { nttForm: true, scale: 2 ** FUZZ_SCALE_BITS }, seededCoefficients(data, 2, new Uint8Array(32)));
});
afterAll(() => {
  try {
    ctx.dispose();
  } catch {
    // SEAL may be unusable if the test below failed; the worker ends with this file.
  }
});

describe('after thousands of refused SEAL loads', () => {
  /*
   * Every C++ exception that escapes to JavaScript leaves Emscripten's stack pointer about 16 bytes
   * lower (the frames between the throw and the JS boundary are never unwound) and its exception
   * object allocated (~150 bytes). Unless callSeal restores the stack pointer, the 64 KiB stack is
   * exhausted after about 3 800 refusals and SEAL breaks for good ("memory access out of bounds",
   * "table index is out of bounds", then Aborted()) until the process restarts: a hub in that state
   * throws a RuntimeError (not even an AppError) for every upload, valid ones included.
   *
   * 20 000 refusals are well past that point, so this fails if the stack restore goes. The heap
   * check alone would not notice unreleased exception objects this soon (the heap first grew after
   * ~68 000 of them); seal-module.test.ts checks that release directly.
   */
  it('SEAL still works, and its heap has not grown, after 20 000 refused loads', () => {
    const { seal } = internalsOf(ctx);
    const parms = new seal.EncryptionParameters(seal.SchemeType.ckks);
    const junk = new Uint8Array(64);
    const heapBefore = sealHeapBytes();
    let firstOddFailure: string | undefined;
    try {
      for (let i = 0; i < 20_000 && firstOddFailure === undefined; i++) {
        try {
          callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading junk', () => parms.loadFromArray(junk));
          firstOddFailure = `load #${i} was accepted`;
        } catch (error) {
          // A refusal by SEAL names a C++ exception type; anything else means SEAL itself broke.
          if (!/failed in SEAL: std::/.test((error as Error).message)) firstOddFailure = `refusal #${i}: ${(error as Error).message}`;
        }
      }
    } finally {
      parms.delete();
    }
    expect(firstOddFailure).toBeUndefined();
    expect(() => validateCiphertext(ctx, ciphertext, { scaleBits: FUZZ_SCALE_BITS })).not.toThrow();
    expect(sealHeapBytes()).toBe(heapBefore);
  });
});
