import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';

/**
 * Choosing the CKKS scale Δ = 2^scaleBits.
 *
 * A decrypted sum is correct only while every plaintext coefficient stays below Q/2 in magnitude
 * (Q = product of the data primes). A slot carries two real values (complex packing, see
 * complex-packing.ts), so its modulus is at most √2·max |value|, and a coefficient at most that
 * times Δ. CAPACITY is floor(log2 Q) − 1 bits, so 2^capacity ≤ Q/2 always holds, and HEADROOM_BITS
 * more are kept for the √2 of packing (half a bit), the noise and rounding. Precision is then set by
 * the noise: each decryptor's smudging noise (σ = 2^smudgingSigmaBits per coefficient) reaches
 * each decoded value (the real or the imaginary part of a slot) as about σ·sqrt(N/2), divided by Δ.
 */

/** Bits kept free below the capacity (a factor 4 between the largest allowed sum and Q/2). */
export const HEADROOM_BITS = 2;
/** chooseScaleBits refuses a scale leaving fewer significant bits than this at the bound. */
export const MIN_PRECISION_BITS = 20;

/** floor(log2 Q) − 1 − HEADROOM_BITS: log2 of the largest |value| · Δ the context accepts. */
export function scaleBudgetBits(ctx: CkksContext): number {
  const q = ctx.dataModuli.reduce((product, p) => product * p, 1n);
  return q.toString(2).length - 2 - HEADROOM_BITS;
}

/** The largest |value| encryptVector accepts at 2^scaleBits (values and their sums share one budget). */
export function maxEncodableMagnitude(ctx: CkksContext, scaleBits: number): number {
  return 2 ** (scaleBudgetBits(ctx) - scaleBits);
}

/** Throws INVALID_INPUT unless scaleBits is an integer from 1 to the context's budget. */
export function checkScaleBits(ctx: CkksContext, scaleBits: number): void {
  const budget = scaleBudgetBits(ctx);
  if (!Number.isInteger(scaleBits) || scaleBits < 1 || scaleBits > budget) {
    throw new AppError(ErrorCode.INVALID_INPUT, `scaleBits must be an integer from 1 to ${budget} for these parameters, got ${scaleBits}`, {
      details: { scaleBits, maxScaleBits: budget },
    });
  }
}

/**
 * The largest scale (in bits) at which sums with |sum| ≤ `bound` decrypt correctly, keeping
 * HEADROOM_BITS of margin; never above the budget itself. `bound` must be public (e.g. Σ w_i·|x| ≤
 * max |parameter| when Σ w_i ≤ 1). Throws ENCODING_RANGE when fewer than MIN_PRECISION_BITS
 * significant bits would remain at the bound for one decryptor (n decryptors lose 0.5·log2 n more):
 * the smudging noise is too large for this coefficient modulus, or the bound too large or too small.
 */
export function chooseScaleBits(ctx: CkksContext, bound: number): number {
  if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, `scale bound must be a positive finite number, got ${String(bound)}`);
  }
  const budget = scaleBudgetBits(ctx);
  let scaleBits = Math.min(budget, Math.floor(budget - Math.log2(bound)));
  // log2 is not exact for every double; settle the boundary with an exact comparison.
  while (bound * 2 ** scaleBits > 2 ** budget) scaleBits--;
  // N/2, not valuesPerChunk: a slot's real and imaginary parts each get half of the N terms' variance.
  const noiseBits = ctx.params.smudgingSigmaBits + 0.5 * Math.log2(ctx.params.polyModulusDegree / 2);
  const precisionBits = Math.log2(bound) + scaleBits - noiseBits;
  if (scaleBits < 1 || precisionBits < MIN_PRECISION_BITS) {
    throw new AppError(
      ErrorCode.ENCODING_RANGE,
      `No safe CKKS scale for sums up to ${bound}: the best scale 2^${scaleBits} leaves ${precisionBits.toFixed(1)} significant bits (at least ${MIN_PRECISION_BITS} needed). Lower smudgingSigmaBits, add a data prime, or use a bound closer to the real range.`,
      { details: { bound, scaleBits, precisionBits, smudgingSigmaBits: ctx.params.smudgingSigmaBits, budgetBits: budget } },
    );
  }
  return scaleBits;
}

/** Ciphertexts needed for `length` values (valuesPerChunk = N per ciphertext). */
export function chunkCount(ctx: CkksContext, length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, `vector length must be a non-negative integer, got ${length}`);
  }
  return Math.ceil(length / ctx.valuesPerChunk);
}
