/**
 * Gaussian noise for distributed DP. Each site adds a share, and the secure sum carries the total.
 *
 * Randomness: 53-bit uniforms from node:crypto (never Math.random, whose output is predictable),
 * turned into normals by Box–Muller. The first uniform lies in (0, 1], so the radius is finite and
 * at most √(2·53·ln 2) ≈ 8.57: the tail beyond 8.57 standard deviations (mass ~1e-17 per entry) is
 * missing, which adds that much to δ, negligibly.
 *
 * Floating-point caveat (Mironov 2012, "On significance of the least significant bits for
 * differential privacy"): the proofs assume real-valued noise. A double-precision sample has gaps
 * and an uneven spread of representable values, and x + noise computed in floating point can, in
 * principle, reveal x through its low-order bits. This implementation shares that caveat with
 * TF-Privacy and Opacus; the fix (the snapping mechanism, or a discrete Gaussian on an integer grid,
 * Canonne–Kamath–Steinke 2020) is not applied here. CKKS encoding adds no leakage beyond it: each
 * site's already-noised vector is multiplied by the scale 2^scaleBits and rounded to an integer,
 * which discards low-order bits (a deterministic function of that site's noised vector, no finer
 * than it), and the encryption and smudging noise of decryption are added on top; the hub sees
 * only the decrypted sum of those rounded vectors.
 */
import { randomFillSync } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** `length` independent N(0, std²) samples. */
export function gaussianNoise(length: number, std: number): Float64Array {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new AppError(ErrorCode.INVALID_INPUT, `noise length must be a non-negative integer, got ${length}`);
  if (!(std >= 0 && Number.isFinite(std))) throw new AppError(ErrorCode.INVALID_INPUT, `noise std must be a finite number ≥ 0, got ${std}`);
  const out = new Float64Array(length);
  if (std === 0) return out;
  const pairs = Math.ceil(length / 2);
  const words = new Uint32Array(pairs * 4);
  randomFillSync(words);
  for (let p = 0; p < pairs; p++) {
    const w = p * 4;
    // 21 + 32 bits each: u1 in (0, 1] so the logarithm is finite, u2 in [0, 1).
    const u1 = ((words[w]! >>> 11) * TWO_32 + words[w + 1]! + 1) / TWO_53;
    const u2 = ((words[w + 2]! >>> 11) * TWO_32 + words[w + 3]!) / TWO_53;
    const radius = std * Math.sqrt(-2 * Math.log(u1));
    out[2 * p] = radius * Math.cos(2 * Math.PI * u2);
    if (2 * p + 1 < length) out[2 * p + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/**
 * One site's share of distributed Gaussian noise: N(0, sigmaTotal² / minContributors) per entry, so
 * that any sum of at least `minContributors` shares carries at least N(0, sigmaTotal²).
 *
 * The trade-off of distributed DP: the guarantee assumes at least minContributors sites add their
 * share honestly. Each site that adds none (or colludes with the hub, which can then subtract its
 * share) takes 1/minContributors of the variance away; the hub itself never adds noise. The study
 * refuses rounds with fewer than minContributors submissions, so the honest-site count is the only
 * assumption.
 */
export function gaussianNoiseShare(length: number, options: { sigmaTotal: number; minContributors: number }): Float64Array {
  const { sigmaTotal, minContributors } = options;
  if (!Number.isInteger(minContributors) || minContributors < 1)
    throw new AppError(ErrorCode.INVALID_INPUT, `minContributors must be a positive integer, got ${minContributors}`);
  if (!(sigmaTotal >= 0 && Number.isFinite(sigmaTotal)))
    throw new AppError(ErrorCode.INVALID_INPUT, `sigmaTotal must be a finite number ≥ 0, got ${sigmaTotal}`);
  return gaussianNoise(length, sigmaTotal / Math.sqrt(minContributors));
}
