import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { crpSeedBinding, expandCrp } from './crp.ts';
import { firstUnreducedCoefficient, toPrime } from './rns.ts';
import type { Prime, RnsLevel } from './rns.ts';
import { uniformResidues } from './shamir.ts';
import { asBigUint64 } from './words.ts';

let ctx: CkksContext;
let keyLevel: RnsLevel;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  keyLevel = rnsLevels(ctx).key;
});
afterAll(() => ctx.dispose());

const seed = (): Uint8Array => new Uint8Array(randomBytes(32));

/**
 * Uniformity is judged by Pearson's χ² over equal buckets against the χ² law's Chernoff bound
 * P(χ²_k ≥ r·k) ≤ (r·e^(1−r))^(k/2) at ALPHA = 1e-11 per assertion (under a hundred statistical
 * assertions across the package's tests: a run fails by chance with probability below 1e-9). With
 * 32 768 values and 512 expected per bucket, the χ² law is an accurate description of the statistic.
 */
const ALPHA = 1e-11;

/** The smallest x with P(χ²_df ≥ x) ≤ ALPHA by the Chernoff bound. */
function chiSquareLimit(df: number): number {
  let lo = 1;
  let hi = 100;
  for (let i = 0; i < 100; i++) {
    const r = (lo + hi) / 2;
    if ((df / 2) * (Math.log(r) + 1 - r) > Math.log(ALPHA)) lo = r;
    else hi = r;
  }
  return hi * df;
}

function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((sum, c) => sum + c, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

const BUCKETS = 64;

/** What is wrong with `values` as uniform draws mod `q` (empty when nothing is): range, high buckets, low bits, pairs. */
function uniformityProblems(values: readonly bigint[], q: bigint): string[] {
  const problems: string[] = values.length < 100 * BUCKETS ? [`only ${values.length} values: too few to judge`] : [];
  const byValue = new Array<number>(BUCKETS).fill(0);
  const byLowBits = new Array<number>(BUCKETS).fill(0);
  const pairs = new Array<number>(BUCKETS).fill(0);
  const qNumber = Number(q);
  const bucket = (v: bigint, of: number): number => Math.min(of - 1, Math.floor((Number(v) / qNumber) * of));
  values.forEach((v, i) => {
    if (v < 0n || v >= q) problems.push(`value ${v} is not below ${q}`);
    byValue[bucket(v, BUCKETS)]!++;
    byLowBits[Number(v & 63n)]!++;
    if (i % 2 === 1) pairs[8 * bucket(values[i - 1]!, 8) + bucket(v, 8)]!++;
  });
  const limit = chiSquareLimit(BUCKETS - 1);
  for (const [name, counts] of [
    ['value/q in 64 buckets', byValue],
    ['value mod 64', byLowBits],
    ['consecutive pairs in 8×8 buckets', pairs],
  ] as const) {
    const statistic = chiSquare(counts);
    if (statistic > limit) problems.push(`${name}: χ² = ${statistic.toFixed(1)} > ${limit.toFixed(1)} (63 degrees of freedom)`);
  }
  return problems;
}

function valuesOf(words: Uint32Array): bigint[] {
  return [...asBigUint64(words.slice())];
}

/** The key-level primes of the study defaults (checked against SEAL's below). */
const STUDY_PRIMES = [1152921504606830593n, 562949953216513n];

/**
 * Moduli that exercise every masking path of the rejection samplers: below, at and just above 32
 * bits, 2^59 + 1 and ¾·2^60 + 1 (half and a quarter of all masked words rejected), and the
 * study's 60- and 49-bit primes.
 */
const MODULI: { name: string; prime: Prime }[] = [2n ** 20n - 3n, 2n ** 31n - 1n, 2n ** 32n - 5n, 2n ** 32n + 15n, 2n ** 59n + 1n, 3n * 2n ** 58n + 1n, ...STUDY_PRIMES].map((q) => ({
  name: `q = ${q} (${q.toString(2).length} bits)`,
  prime: toPrime(q),
}));

function levelOf(prime: Prime): RnsLevel {
  return { polyModulusDegree: 4096, parmsId: [0n, 0n, 0n, 0n], primes: [prime] };
}

describe('expandCrp', () => {
  it('is deterministic in the seed, and a one-bit change of the seed changes every coefficient', () => {
    const s = seed();
    const a = expandCrp(keyLevel, s);
    expect(expandCrp(keyLevel, new Uint8Array(s))).toEqual(a);
    const flipped = new Uint8Array(s);
    flipped[17]! ^= 0x04;
    const other = expandCrp(keyLevel, flipped);
    const equalWords = a.filter((word, i) => word === other[i]).length;
    // Two independent uniform 32-bit words agree with probability 2^-32 (or 2^-17 for 49-bit high words).
    expect(equalWords).toBeLessThan(10);
    expect(expandCrp(keyLevel, seed())).not.toEqual(a);
  });

  it('pins the expansion: every party, in every version, must derive the same polynomial', () => {
    // Cross-checked with Python's hashlib.shake_256 over the documented input layout.
    const a = asBigUint64(expandCrp(keyLevel, Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(a.length).toBe(2 * 4096);
    expect([a[0], a[1], a[4096], a[4097]]).toEqual([77310890930316102n, 1142728867538043615n, 483030001214522n, 262239025910948n]);
  });

  it("the study key level: SEAL's primes, every coefficient below its prime", () => {
    expect(keyLevel.primes.map((p) => p.value)).toEqual(STUDY_PRIMES);
    expect(firstUnreducedCoefficient(expandCrp(keyLevel, seed()), keyLevel.primes, 4096)).toBe(-1);
  });

  it.each(MODULI)('is uniform mod $name: χ² of value buckets, low bits and consecutive pairs', ({ prime }) => {
    const level = levelOf(prime);
    const values = Array.from({ length: 8 }, () => valuesOf(expandCrp(level, seed()))).flat();
    expect(values).toHaveLength(32_768);
    expect(uniformityProblems(values, prime.value)).toEqual([]);
  });

  it('the χ² checks catch the classic mistake: reducing masked words mod q instead of rejecting them', () => {
    // With q = ¾·2^60, words below 2^60 − q have two preimages: the lower third is twice as likely.
    const q = 3n * 2n ** 58n + 1n;
    const words = new BigUint64Array(new Uint8Array(randomBytes(8 * 32_768)).buffer);
    const biased = [...words].map((w) => (w & (2n ** 60n - 1n)) % q);
    expect(uniformityProblems(biased, q).some((p) => p.startsWith('value/q'))).toBe(true);
  });

  it('draws each prime from its own stream', () => {
    const a = expandCrp(keyLevel, seed());
    const q1 = keyLevel.primes[1]!.value;
    const firstBlockReduced = Array.from({ length: 16 }, (_, k) => (BigInt(a[2 * k + 1]!) * 2n ** 32n + BigInt(a[2 * k]!)) % q1);
    const secondBlock = Array.from({ length: 16 }, (_, k) => BigInt(a[2 * (4096 + k) + 1]!) * 2n ** 32n + BigInt(a[2 * (4096 + k)]!));
    expect(secondBlock).not.toEqual(firstBlockReduced);
  });

  it('rejects a seed that is not 32 bytes', () => {
    expectAppError(() => expandCrp(keyLevel, new Uint8Array(31)), ErrorCode.INVALID_INPUT, /32 bytes/);
    expectAppError(() => crpSeedBinding(new Uint8Array(33)), ErrorCode.INVALID_INPUT, /32 bytes/);
  });
});

describe('crpSeedBinding', () => {
  it('is a 32-byte digest that differs across seeds and from the seed itself', () => {
    const s = seed();
    expect(crpSeedBinding(s)).toHaveLength(32);
    expect(crpSeedBinding(s)).toEqual(crpSeedBinding(new Uint8Array(s)));
    expect(crpSeedBinding(s)).not.toEqual(crpSeedBinding(seed()));
    expect(crpSeedBinding(s)).not.toEqual(s);
  });
});

describe("Shamir's polynomial coefficients (uniformResidues, node:crypto)", () => {
  it.each(MODULI)('are uniform mod $name by the same χ² checks', ({ prime }) => {
    const values = [...uniformResidues(prime, 32_768)];
    expect(uniformityProblems(values, prime.value)).toEqual([]);
  });

  it('are fresh every call', () => {
    const prime = keyLevel.primes[0]!;
    expect(uniformResidues(prime, 64)).not.toEqual(uniformResidues(prime, 64));
  });
});
