/**
 * Arithmetic on RNS polynomials stored as u64 word pairs (see words.ts).
 *
 * A polynomial at a level with primes q_0..q_{L-1} is L blocks of N coefficients, block j reduced
 * mod q_j; a ciphertext is its polynomials one after the other, so block b belongs to prime b mod L.
 * Coefficients are below 2^61, so a sum of two fits a u64 and one conditional subtraction reduces it;
 * working on 32-bit halves keeps BigInt out of the per-ciphertext paths.
 */
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** An RNS prime with its 32-bit halves precomputed for the word-pair arithmetic. */
export interface Prime {
  readonly value: bigint;
  readonly lo: number;
  readonly hi: number;
  readonly bits: number;
}

/** A modulus level of a CKKS context: what a serialized object at that level must carry. */
export interface RnsLevel {
  readonly polyModulusDegree: number;
  /** SEAL's parms_id of the level (4 u64 words). */
  readonly parmsId: readonly bigint[];
  readonly primes: readonly Prime[];
}

/** Precomputes the word halves of a prime below 2^62. */
export function toPrime(value: bigint): Prime {
  return {
    value,
    lo: Number(value & 0xffffffffn),
    hi: Number(value >> 32n),
    bits: value.toString(2).length,
  };
}

/** The index of the first coefficient not below its block's prime, or -1 when all are reduced. */
export function firstUnreducedCoefficient(words: Uint32Array, primes: readonly Prime[], n: number): number {
  const blocks = words.length / (2 * n);
  for (let block = 0; block < blocks; block++) {
    const prime = primes[block % primes.length]!;
    const qLo = prime.lo;
    const qHi = prime.hi;
    const end = 2 * n * (block + 1);
    for (let w = 2 * n * block; w < end; w += 2) {
      const hi = words[w + 1]!;
      if (hi > qHi || (hi === qHi && words[w]! >= qLo)) return w / 2;
    }
  }
  return -1;
}

/**
 * out ← a + b, coefficientwise mod each block's prime (inputs reduced; out may alias a or b).
 *
 * Branch-free on purpose: whether a + b reaches q is a coin flip for uniform coefficients, and a
 * mispredicted branch per coefficient costs more than the arithmetic. Carry and borrow come from
 * the usual sign-bit formulas on 32-bit halves; the high word of (a + b − q) is negative exactly
 * when a + b < q, and its sign bit selects which of the two results to keep.
 */
export function addModInto(out: Uint32Array, a: Uint32Array, b: Uint32Array, primes: readonly Prime[], n: number): void {
  const blocks = out.length / (2 * n);
  for (let block = 0; block < blocks; block++) {
    const prime = primes[block % primes.length]!;
    const qLo = prime.lo | 0;
    const qHi = prime.hi;
    const end = 2 * n * (block + 1);
    for (let w = 2 * n * block; w < end; w += 2) {
      const x = a[w]! | 0;
      const y = b[w]! | 0;
      const sumLo = (x + y) | 0;
      const carry = ((x & y) | ((x | y) & ~sumLo)) >>> 31;
      const sumHi = (a[w + 1]! + b[w + 1]! + carry) | 0;
      const diffLo = (sumLo - qLo) | 0;
      const borrow = ((~sumLo & qLo) | (~(sumLo ^ qLo) & diffLo)) >>> 31;
      const diffHi = (sumHi - qHi - borrow) | 0;
      const keepSum = diffHi >> 31;
      out[w] = (sumLo & keepSum) | (diffLo & ~keepSum);
      out[w + 1] = (sumHi & keepSum) | (diffHi & ~keepSum);
    }
  }
}

/**
 * Writes the small signed integers `values` (|v| < 2^53, one per coefficient) reduced mod each prime:
 * L blocks of N coefficients into `out`, starting at coefficient `at`.
 */
export function writeSignedResidues(out: Uint32Array, at: number, values: Float64Array, primes: readonly Prime[]): void {
  const n = values.length;
  primes.forEach((prime, j) => {
    const base = 2 * (at + j * n);
    if (prime.hi < TWO_53 / TWO_32) {
      // q < 2^53: the double arithmetic is exact.
      const q = prime.hi * TWO_32 + prime.lo;
      for (let k = 0; k < n; k++) {
        let r = values[k]! % q;
        if (r < 0) r += q;
        out[base + 2 * k] = r % TWO_32;
        out[base + 2 * k + 1] = Math.floor(r / TWO_32);
      }
      return;
    }
    // q ≥ 2^53 > |v|: a negative v is q − |v|, subtracted on the word halves with a borrow.
    for (let k = 0; k < n; k++) {
      const v = values[k]!;
      const m = Math.abs(v);
      let lo = m % TWO_32;
      let hi = Math.floor(m / TWO_32);
      if (v < 0) {
        lo = prime.lo - lo;
        hi = prime.hi - hi;
        if (lo < 0) {
          lo += TWO_32;
          hi -= 1;
        }
      }
      out[base + 2 * k] = lo;
      out[base + 2 * k + 1] = hi;
    }
  });
}

/**
 * The sum of two serialized objects that share a header and differ only in their u64 coefficients
 * (ciphertexts, decryption shares): `a`'s first `dataOffset` bytes, then `count` coefficients added
 * mod each prime. The result is a fresh, aligned buffer.
 */
export function addSerializedCoefficients(a: Uint8Array, b: Uint8Array, dataOffset: number, count: number, primes: readonly Prime[], n: number): Uint8Array {
  const sum = allocateAligned(a.length, dataOffset);
  sum.set(a.subarray(0, dataOffset));
  addModInto(writableU64Words(sum, dataOffset, count), u64Words(a, dataOffset, count), u64Words(b, dataOffset, count), primes, n);
  return sum;
}
