import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addModInto, firstUnreducedCoefficient, toPrime, writeSignedResidues } from './rns.ts';
import { asBigUint64 } from './words.ts';

// Real NTT primes of the default parameters (60 and 49 bits) and a 30-bit one.
const PRIMES = [1152921504606830593n, 562949953216513n, 1073692673n].map(toPrime);
const N = 64;

function randomReduced(blocks: number): BigUint64Array {
  const values = new BigUint64Array(randomBytes(8 * blocks * N).buffer);
  return values.map((v, i) => v % PRIMES[Math.floor(i / N) % PRIMES.length]!.value);
}

function words(values: BigUint64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

describe('toPrime', () => {
  it('splits a prime into 32-bit halves and counts its bits', () => {
    expect(PRIMES[0]).toEqual({ value: 1152921504606830593n, lo: Number(1152921504606830593n & 0xffffffffn), hi: 268435455, bits: 60 });
    expect(PRIMES[2]!.hi).toBe(0);
    expect(PRIMES[2]!.bits).toBe(30);
  });
});

describe('addModInto', () => {
  it('matches BigInt (a + b) mod q on random values, two polynomials deep', () => {
    const a = randomReduced(6);
    const b = randomReduced(6);
    const out = new Uint32Array(a.length * 2);
    addModInto(out, words(a), words(b), PRIMES, N);
    const expected = a.map((v, i) => (v + b[i]!) % PRIMES[Math.floor(i / N) % PRIMES.length]!.value);
    expect(asBigUint64(out)).toEqual(expected);
  });

  it('handles the extremes: (q−1) + (q−1), carries out of the low word, and 0 + 0', () => {
    const a = new BigUint64Array(3 * N);
    const b = new BigUint64Array(3 * N);
    PRIMES.forEach((prime, j) => {
      a[j * N] = prime.value - 1n;
      b[j * N] = prime.value - 1n;
      // Low word all ones (for the 30-bit prime, just below q): adding 1 carries.
      a[j * N + 1] = prime.bits > 32 ? 0xffffffffn : prime.value - 2n;
      b[j * N + 1] = 1n;
      a[j * N + 2] = prime.value - 1n;
      b[j * N + 2] = 1n;
    });
    addModInto(words(a), words(a), words(b), PRIMES, N);
    PRIMES.forEach((prime, j) => {
      expect(a[j * N]).toBe(prime.value - 2n);
      expect(a[j * N + 1]).toBe(prime.bits > 32 ? 0x100000000n : prime.value - 1n);
      expect(a[j * N + 2]).toBe(0n);
      expect(a[j * N + 3]).toBe(0n);
    });
  });
});

describe('writeSignedResidues', () => {
  it('matches BigInt reduction for primes above and below 2^53', () => {
    const values = Float64Array.from({ length: N }, (_, k) => (k % 2 === 0 ? -1 : 1) * Math.floor(Math.random() * 2 ** 52));
    values[0] = 0;
    values[1] = -1;
    values[2] = -(2 ** 52);
    const out = new Uint32Array(2 * PRIMES.length * N + 2 * N);
    writeSignedResidues(out, N, values, PRIMES);
    const result = asBigUint64(out);
    expect(result.subarray(0, N).every((v) => v === 0n)).toBe(true);
    PRIMES.forEach((prime, j) => {
      const q = prime.value;
      const expected = Array.from(values, (v) => ((BigInt(v) % q) + q) % q);
      expect(Array.from(result.subarray(N + j * N, N + (j + 1) * N))).toEqual(expected);
    });
  });
});

describe('firstUnreducedCoefficient', () => {
  it('finds the first coefficient not below its own prime', () => {
    const values = randomReduced(3);
    expect(firstUnreducedCoefficient(words(values), PRIMES, N)).toBe(-1);
    values[2 * N + 7] = PRIMES[2]!.value;
    values[2 * N + 9] = 2n ** 64n - 1n;
    expect(firstUnreducedCoefficient(words(values), PRIMES, N)).toBe(2 * N + 7);
    // A value valid under the 60-bit prime is out of range in the 49-bit block.
    const second = randomReduced(3);
    second[N + 3] = PRIMES[1]!.value + 1n;
    expect(firstUnreducedCoefficient(words(second), PRIMES, N)).toBe(N + 3);
  });
});
