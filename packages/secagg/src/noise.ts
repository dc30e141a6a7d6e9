import { randomFillSync } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Discrete Gaussian noise for the key-share error e_i and the smudging noise of partial decryptions.
 *
 * Method: Box–Muller on pairs of uniform doubles made from 53 bits of `crypto.randomFillSync` each
 * (never Math.random: the noise hides secret keys), scaled by σ and rounded to the nearest integer.
 * Samples beyond TAIL_CUT_SIGMAS·σ are redrawn, as SEAL's own clipped normal does, so every value is
 * bounded by a known constant. The result is a rounded Gaussian: its variance is σ² + 1/12, which
 * for σ ≥ 3.2 is within 0.5 % of σ², and it is what RLWE implementations use for these roles.
 */

/** Values further than this many σ from zero are redrawn. */
export const TAIL_CUT_SIGMAS = 6;

/** σ of the key-share error e_i: SEAL's default noise standard deviation. */
export const KEY_NOISE_SIGMA = 3.2;

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
/** Uniform words consumed per Box–Muller pair (two 53-bit doubles). */
const WORDS_PER_PAIR = 4;

/**
 * `count` independent samples of a rounded Gaussian with standard deviation `sigma`, cut at
 * ±TAIL_CUT_SIGMAS·σ. Values are integers held in a Float64Array (exact below 2^53).
 */
export function sampleDiscreteGaussian(count: number, sigma: number): Float64Array {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, `noise sample count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isFinite(sigma) || sigma <= 0 || sigma * TAIL_CUT_SIGMAS >= TWO_53) {
    throw new AppError(ErrorCode.INVALID_INPUT, `noise σ must be positive and below 2^53/${TAIL_CUT_SIGMAS}, got ${sigma}`);
  }
  const out = new Float64Array(count);
  const limit = TAIL_CUT_SIGMAS * sigma;
  let filled = 0;
  while (filled < count) {
    // Rejections are rare (2e-9 per sample at 6σ): each round draws randomness for what is missing.
    const pairs = Math.ceil((count - filled) / 2);
    const random = new Uint32Array(pairs * WORDS_PER_PAIR);
    randomFillSync(random);
    for (let p = 0; p < pairs && filled < count; p++) {
      const w = p * WORDS_PER_PAIR;
      // u1 in (0, 1] so the logarithm is finite; u2 in [0, 1).
      const u1 = ((random[w]! >>> 11) * TWO_32 + random[w + 1]! + 1) / TWO_53;
      const u2 = ((random[w + 2]! >>> 11) * TWO_32 + random[w + 3]!) / TWO_53;
      const radius = sigma * Math.sqrt(-2 * Math.log(u1));
      const angle = 2 * Math.PI * u2;
      const first = Math.round(radius * Math.cos(angle));
      if (Math.abs(first) <= limit) out[filled++] = first;
      if (filled >= count) break;
      const second = Math.round(radius * Math.sin(angle));
      if (Math.abs(second) <= limit) out[filled++] = second;
    }
  }
  return out;
}
