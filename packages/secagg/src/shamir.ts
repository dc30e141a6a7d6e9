import { randomFillSync } from 'node:crypto';
import type { Prime, RnsLevel } from './rns.ts';
import { asBigUint64 } from './words.ts';

/**
 * Shamir sharing of an RNS polynomial, coefficientwise mod each prime.
 *
 * For every coefficient position and prime q, an independent polynomial f(x) = secret + r_1·x + … +
 * r_{t−1}·x^{t−1} mod q with r_d uniform mod q; the share of point p is f(p). Because the NTT is
 * linear mod q, sharing the NTT-form coefficients shares the polynomial itself, and any t shares
 * recombine it exactly with Lagrange coefficients (committee-points.ts), while t − 1 reveal nothing.
 */

/** `count` values uniform mod `prime`, by rejection sampling on masked words from node:crypto. */
export function uniformResidues(prime: Prime, count: number): BigUint64Array {
  const out = new BigUint64Array(count);
  const hiMask = prime.bits > 32 ? 2 ** (prime.bits - 32) - 1 : 0;
  const loMask = prime.bits >= 32 ? 0xffffffff : 2 ** prime.bits - 1;
  let filled = 0;
  while (filled < count) {
    // NTT primes sit just above or below a power of two: at least half the draws are kept.
    const words = new Uint32Array(2 * Math.max(64, 2 * (count - filled)));
    randomFillSync(words);
    for (let w = 0; w < words.length && filled < count; w += 2) {
      const lo = (words[w]! & loMask) >>> 0;
      const hi = (words[w + 1]! & hiMask) >>> 0;
      if (hi < prime.hi || (hi === prime.hi && lo < prime.lo)) out[filled++] = (BigInt(hi) << 32n) | BigInt(lo);
    }
    words.fill(0);
  }
  return out;
}

/**
 * Shares of `secret` (u64 word pairs, prime × N at `level`) for each point: one Uint32Array of the
 * same layout per point, in order. Takes about (threshold − 1)·|points|·N·L BigInt multiplications.
 */
export function shamirShares(level: RnsLevel, secret: Uint32Array, threshold: number, points: readonly number[]): Uint32Array[] {
  const n = level.polyModulusDegree;
  const constant = asBigUint64(secret.slice());
  const shares = points.map(() => new Uint32Array(secret.length));
  const targets = shares.map((share) => asBigUint64(share));
  try {
    level.primes.forEach((prime, j) => {
      const q = prime.value;
      // random[d − 1][k] is the coefficient of x^d at position k of this prime's block.
      const random = Array.from({ length: threshold - 1 }, () => uniformResidues(prime, n));
      try {
        points.forEach((point, index) => {
          const x = BigInt(point);
          const target = targets[index]!;
          for (let k = 0; k < n; k++) {
            let value = 0n;
            for (let d = threshold - 1; d >= 1; d--) value = (value * x + random[d - 1]![k]!) % q;
            target[j * n + k] = (value * x + constant[j * n + k]!) % q;
          }
        });
      } finally {
        // With these and any one share, the secret follows.
        for (const coefficients of random) coefficients.fill(0n);
      }
    });
  } finally {
    constant.fill(0n);
  }
  return shares;
}
