import { AppError, ErrorCode } from '@consilium/errors';
import type { RnsLevel } from './rns.ts';
import { MAX_POINT } from './share-format.ts';
import { asBigUint64 } from './words.ts';

/**
 * Committee points and Lagrange coefficients of the threshold scheme.
 *
 * Member k of an ordered committee holds the Shamir share at point k + 1 (0 is the secret itself).
 * Points are small integers, far below every prime, so distinct points stay distinct mod each prime
 * and every difference is invertible.
 */

/** Throws INVALID_INPUT unless `point` is an integer committee point from 1 to MAX_POINT. */
export function checkPoint(point: number, what: string): void {
  if (!Number.isInteger(point) || point < 1 || point > MAX_POINT) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be an integer committee point from 1 to ${MAX_POINT}, got ${String(point)}`, {
      details: { point },
    });
  }
}

/** Throws INVALID_INPUT unless `points` is a non-empty array of distinct committee points. */
export function checkPointSet(points: readonly number[], what: string): void {
  if (!isArray(points) || points.length === 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${what} must list at least one committee point`);
  }
  const seen = new Set<number>();
  points.forEach((point, index) => {
    checkPoint(point, `${what}[${index}]`);
    if (seen.has(point)) {
      throw new AppError(ErrorCode.INVALID_INPUT, `${what} lists point ${point} twice`, { details: { point, index } });
    }
    seen.add(point);
  });
}

/** Checks a decryptor set and that `self` belongs to it (INVALID_INPUT otherwise). */
export function checkDecryptorSet(self: number, decryptors: readonly number[]): void {
  checkPointSet(decryptors, 'decryptors');
  checkPoint(self, 'self');
  if (!decryptors.includes(self)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `self (point ${self}) is not one of the decryptors (${decryptors.join(', ')})`, {
      details: { self, decryptors: [...decryptors] },
    });
  }
}

/** The points sorted and encoded as u16 little-endian after a u32 count: what bindings hash. */
export function encodePointSet(points: readonly number[]): Uint8Array {
  const sorted = [...points].sort((a, b) => a - b);
  const bytes = new Uint8Array(4 + 2 * sorted.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, sorted.length, true);
  sorted.forEach((point, i) => view.setUint16(4 + 2 * i, point, true));
  return bytes;
}

/** λ_self = Π_{j ≠ self} j / (j − self) mod q: the weight of f(self) in f(0) over `points`. */
export function lagrangeAtZero(points: readonly number[], self: number, q: bigint): bigint {
  let numerator = 1n;
  let denominator = 1n;
  for (const point of points) {
    if (point === self) continue;
    numerator = (numerator * BigInt(point)) % q;
    denominator = (denominator * mod(BigInt(point - self), q)) % q;
  }
  return (numerator * inverseMod(denominator, q)) % q;
}

/**
 * λ_self·S coefficientwise mod each prime of `level`: a key share weighted so that the weighted
 * shares of the members in `points` sum to the shared secret. One-off per decryptor set, so BigInt.
 */
export function weightByLagrange(level: RnsLevel, share: Uint32Array, self: number, points: readonly number[]): Uint32Array {
  const n = level.polyModulusDegree;
  const source = asBigUint64(share.slice());
  const out = new Uint32Array(share.length);
  const target = asBigUint64(out);
  level.primes.forEach((prime, j) => {
    const q = prime.value;
    const lambda = lagrangeAtZero(points, self, q);
    for (let k = j * n; k < (j + 1) * n; k++) target[k] = (source[k]! * lambda) % q;
  });
  source.fill(0n);
  return out;
}

/** Array.isArray without its narrowing of readonly arrays to any[]. */
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

function mod(value: bigint, q: bigint): bigint {
  const r = value % q;
  return r < 0n ? r + q : r;
}

/** a^(q−2) mod q: the inverse of a non-zero a modulo the prime q (Fermat). */
function inverseMod(a: bigint, q: bigint): bigint {
  let result = 1n;
  let base = a % q;
  for (let e = q - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % q;
    base = (base * base) % q;
  }
  return result;
}
