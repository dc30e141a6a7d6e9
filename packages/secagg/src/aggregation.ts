import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { addSerializedCoefficients } from './rns.ts';
import { checkScaleBits } from './scale.ts';
import { callSeal, sealBytes, withSealScope } from './seal-call.ts';
import { CIPHERTEXT_LAYOUT, CIPHERTEXT_POLYS, parseCiphertext } from './serialization.ts';

/**
 * The hub's side of aggregation: checking untrusted ciphertexts and adding them. Sums are computed
 * in JavaScript on the serialized bytes (u64 word pairs, one conditional subtraction per
 * coefficient), which is faster than loading both into SEAL and saving the result, and keeps the
 * hub's accumulators out of the WASM heap.
 */

/**
 * Checks an untrusted ciphertext: header, sizes, parms_id (data level), NTT flag, size 2, scale
 * exactly 2^scaleBits, correction factor, every coefficient below its prime; then SEAL's own load
 * as a second check. Throws INVALID_CIPHERTEXT naming the first bad field.
 */
export function validateCiphertext(ctx: CkksContext, bytes: Uint8Array, expected: { scaleBits: number }): void {
  const { seal, context, dataLevel } = internalsOf(ctx);
  checkScaleBits(ctx, expected.scaleBits);
  parseCiphertext(bytes, { what: 'ciphertext', level: dataLevel, nttForm: true, scaleBits: expected.scaleBits });
  withSealScope((scope) => {
    const ciphertext = scope.add(new seal.Ciphertext());
    callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the ciphertext', () => ciphertext.loadFromArray(context, sealBytes(bytes)));
  });
}

/**
 * The serialized sum of two validated ciphertexts (same parameters and scale); the inputs are not
 * modified. Start the accumulator with the first submission.
 */
export function addCiphertexts(ctx: CkksContext, accumulator: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const { dataLevel } = internalsOf(ctx);
  const length = ctx.ciphertextBytes;
  const dataOffset = CIPHERTEXT_LAYOUT.data;
  if (accumulator.length !== length || ciphertext.length !== length) {
    throw new AppError(ErrorCode.INVALID_INPUT, `addCiphertexts takes validated ${length}-byte ciphertexts`, {
      details: { accumulatorBytes: accumulator.length, ciphertextBytes: ciphertext.length, expected: length },
    });
  }
  for (let i = 0; i < dataOffset; i++) {
    if (accumulator[i] !== ciphertext[i]) {
      throw new AppError(ErrorCode.INVALID_INPUT, `addCiphertexts: the ciphertexts' metadata differ at byte ${i} (different parameters or scale)`, {
        details: { byte: i },
      });
    }
  }
  const count = CIPHERTEXT_POLYS * dataLevel.primes.length * dataLevel.polyModulusDegree;
  return addSerializedCoefficients(accumulator, ciphertext, dataOffset, count, dataLevel.primes, dataLevel.polyModulusDegree);
}
