import { randomBytes, randomFillSync } from 'node:crypto';
import type * as NodeCrypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext, internalsOf } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import { createPublicKeyShare, generateSecretShare } from './key-ceremony.ts';
import { KEY_NOISE_SIGMA, sampleDiscreteGaussian, TAIL_CUT_SIGMAS } from './noise.ts';
import { createPartialDecryptor } from './partial-decryptor.ts';
import type { RnsLevel } from './rns.ts';
import { saveUncompressed, withSealScope } from './seal-call.ts';
import { buildCiphertext, buildPublicKey, CIPHERTEXT_LAYOUT, parseCiphertext, parseSecretKey } from './serialization.ts';
import { buildShare, parseShare, ShareKind } from './share-format.ts';
import { asBigUint64, u64Words } from './words.ts';

/**
 * Statistics of the package's Gaussian noise: the sampler itself at every σ it serves (the key
 * error σ = 3.2, smudging σ = 2^smudgingSigmaBits from the spec's floor 2^16 to the maximum 2^40),
 * and the noise actually inside published public-key shares and decryption shares.
 *
 * Every bound is a finite-sample tail bound, not a normal approximation, at ALPHA = 1e-11 per
 * assertion: with under a hundred statistical assertions in the package's tests, a correct sampler
 * fails a run with probability below 1e-9. The "power" test shows the same bounds reject a σ off by
 * a factor 1.1 either way.
 */

// Randomness passes through to node:crypto unless a test queues crafted words (the tail-cut test).
const { crafted } = vi.hoisted(() => ({ crafted: [] as Uint32Array[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return {
    ...actual,
    randomFillSync: vi.fn(<T extends NodeJS.ArrayBufferView>(buffer: T, offset?: number, size?: number): T => {
      const next = crafted.shift();
      if (next === undefined) return actual.randomFillSync(buffer, offset, size);
      const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
      words.fill(0);
      words.set(next.subarray(0, words.length));
      return buffer;
    }),
  };
});

const ALPHA = 1e-11;
/** ln(2/α): the two-sided tail term of every bound below. */
const LOG_TERM = Math.log(2 / ALPHA);
const SAMPLES = 200_000;

/**
 * Bernstein: for n i.i.d. values within b of their mean, with variance v,
 * P(|mean − μ| ≥ t) ≤ 2·exp(−n·t² / (2v + 2bt/3)); this is the t where that bound equals ALPHA.
 */
function bernsteinRadius(n: number, variance: number, bound: number): number {
  const linear = (bound * LOG_TERM) / 3;
  return (linear + Math.sqrt(linear ** 2 + 2 * n * variance * LOG_TERM)) / n;
}

/** Dvoretzky–Kiefer–Wolfowitz: P(sup |F̂ − F| > ε) ≤ 2·exp(−2nε²); this is the ε for ALPHA. */
function dkwRadius(n: number): number {
  return Math.sqrt(LOG_TERM / (2 * n));
}

/** The standard normal CDF, through erfc with fractional error below 1.2e-7 (Numerical Recipes' erfcc). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * What is wrong with `samples` as draws of a Gaussian of standard deviation `sigma` rounded to the
 * nearest integer and cut at ±TAIL_CUT_SIGMAS·σ (empty when nothing is). The rounded law has
 * variance σ² + 1/12 (Sheppard) and CDF F(x) = Φ((⌊x⌋ + ½)/σ); the cut removes 2e-9 of the mass,
 * far below every tolerance.
 */
function gaussianProblems(samples: Float64Array, sigma: number): string[] {
  const n = samples.length;
  const limit = Math.floor(TAIL_CUT_SIGMAS * sigma);
  const problems: string[] = n < 10_000 ? [`only ${n} samples: too few to judge`] : [];
  let sum = 0;
  let sumOfSquares = 0;
  let positive = 0;
  let negative = 0;
  for (const x of samples) {
    if (!Number.isInteger(x) || Math.abs(x) > limit) {
      problems.push(`${x} is not an integer within ±${limit}`);
      break;
    }
    sum += x;
    sumOfSquares += x * x;
    if (x > 0) positive++;
    if (x < 0) negative++;
  }
  const variance = sigma ** 2 + 1 / 12;
  const mean = sum / n;
  const meanRadius = bernsteinRadius(n, variance, limit);
  if (Math.abs(mean) > meanRadius) problems.push(`mean ${mean} is outside ±${meanRadius}`);
  // E[X²] around the true mean 0; Var(X²) = 2(σ² + 1/12)² + O(1) for the rounded Gaussian.
  const secondMoment = sumOfSquares / n;
  const secondRadius = bernsteinRadius(n, 2 * variance ** 2 + 0.1, limit ** 2);
  if (Math.abs(secondMoment - variance) > secondRadius) {
    problems.push(`E[x²] = ${secondMoment} is outside ${variance} ± ${secondRadius} (σ would be ${Math.sqrt(secondMoment)})`);
  }
  // Symmetry: given the non-zero count m, the positives are Binomial(m, ½) (Hoeffding).
  const nonZero = positive + negative;
  const signRadius = Math.sqrt(LOG_TERM / (2 * nonZero));
  if (Math.abs(positive / nonZero - 0.5) > signRadius) problems.push(`${positive} positive of ${nonZero} non-zero: asymmetric beyond ±${signRadius}`);
  // Shape: the empirical CDF against the rounded Gaussian's, at 201 points across ±5σ.
  const sorted = samples.slice().sort();
  let worst = 0;
  for (let i = -100; i <= 100; i++) {
    const x = Math.floor((i / 20) * sigma);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(lo / n - normalCdf((x + 0.5) / sigma)));
  }
  if (worst > dkwRadius(n)) problems.push(`CDF differs from the rounded Gaussian's by ${worst}, beyond ${dkwRadius(n)}`);
  return problems;
}

const SIGMAS = [
  { role: 'key error e_i', sigma: KEY_NOISE_SIGMA },
  { role: 'smudging at the spec floor 2^16', sigma: 2 ** 16 },
  { role: 'smudging at the default 2^20', sigma: 2 ** 20 },
  { role: 'smudging at the maximum 2^40', sigma: 2 ** 40 },
];

describe('sampleDiscreteGaussian', () => {
  it.each(SIGMAS)('$role (σ = $sigma): integers within ±6σ, mean 0, variance σ² + 1/12, symmetric, Gaussian CDF', ({ sigma }) => {
    const samples = sampleDiscreteGaussian(SAMPLES, sigma);
    expect(samples).toHaveLength(SAMPLES);
    expect(gaussianProblems(samples, sigma)).toEqual([]);
  });

  it('the same checks reject a σ that is off by a factor 1.1 either way, even on a quarter of the samples', () => {
    for (const { sigma } of SIGMAS) {
      for (const actual of [sigma * 1.1, sigma / 1.1]) {
        const problems = gaussianProblems(sampleDiscreteGaussian(SAMPLES / 4, actual), sigma);
        expect(problems.some((p) => p.startsWith('E[x²]')), `σ ${actual} passed as ${sigma}`).toBe(true);
        expect(problems.some((p) => p.startsWith('CDF')), `σ ${actual} passed as ${sigma}`).toBe(true);
      }
    }
  });

  it('redraws values beyond ±6σ and keeps the boundary (crafted uniform words)', () => {
    // u1 = 2^-53 gives the largest radius, √(106·ln 2) ≈ 8.57σ; u2 = 0 puts it all on the cosine
    // (9 > 6: redrawn; the sine is 0), u2 = 1/8 splits it (6.06 and 6.06 round to 6 = 6σ: kept).
    const angleZero = [0, 0, 0, 0];
    const angleEighth = [0, 0, 2 ** 29, 0];
    crafted.push(Uint32Array.from([...angleZero, ...angleEighth]));
    expect([...sampleDiscreteGaussian(3, 1)]).toEqual([0, 6, 6]);
    crafted.push(Uint32Array.from([...angleZero, ...angleZero]));
    const calls = vi.mocked(randomFillSync).mock.calls.length;
    const redrawn = sampleDiscreteGaussian(3, 1);
    expect([redrawn[0], redrawn[1]]).toEqual([0, 0]);
    expect(Math.abs(redrawn[2]!)).toBeLessThanOrEqual(TAIL_CUT_SIGMAS);
    expect(vi.mocked(randomFillSync).mock.calls.length - calls).toBe(2);
  });

  it('draws from node:crypto, fresh every call; no source file uses Math.random', () => {
    const calls = vi.mocked(randomFillSync).mock.calls.length;
    const a = sampleDiscreteGaussian(64, 2 ** 20);
    const b = sampleDiscreteGaussian(64, 2 ** 20);
    expect(vi.mocked(randomFillSync).mock.calls.length - calls).toBe(2);
    expect(a).not.toEqual(b);
    const directory = new URL('.', import.meta.url);
    const sources = readdirSync(directory).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(10);
    const code = (name: string): string =>
      readFileSync(new URL(name, directory), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
    const offenders = sources.filter((name) => /Math\.random\b/.test(code(name)));
    expect(offenders).toEqual([]);
  });

  it('rejects a bad count or σ', () => {
    expect(sampleDiscreteGaussian(0, 1)).toEqual(new Float64Array(0));
    expectAppError(() => sampleDiscreteGaussian(-1, 1), ErrorCode.INVALID_INPUT, /count/);
    expectAppError(() => sampleDiscreteGaussian(1.5, 1), ErrorCode.INVALID_INPUT, /count/);
    expectAppError(() => sampleDiscreteGaussian(4, 0), ErrorCode.INVALID_INPUT, /σ/);
    expectAppError(() => sampleDiscreteGaussian(4, 2 ** 51), ErrorCode.INVALID_INPUT, /σ/);
  });
});

describe('the noise inside what sites publish', () => {
  let ctx: CkksContext;
  beforeAll(async () => {
    ctx = await createCkksContext(DEFAULT_PARAMS);
  });
  afterAll(() => ctx?.dispose());

  /**
   * The coefficients of the NTT-form polynomial `words` (prime × N at the data or key level) as
   * signed integers, transformed back by SEAL; throws unless every prime agrees on a small value.
   */
  function inverseNtt(level: 'data' | 'key', words: Uint32Array): Float64Array {
    const internals = internalsOf(ctx);
    const rns: RnsLevel = level === 'data' ? internals.dataLevel : internals.keyLevel;
    const context = level === 'data' ? internals.context : internals.keyLevelContext;
    const evaluator = level === 'data' ? internals.evaluator : internals.keyLevelEvaluator;
    const n = rns.polyModulusDegree;
    const both = new Uint32Array(2 * words.length);
    both.set(words);
    both.set(words, words.length);
    const transformed = withSealScope((scope) => {
      const ciphertext = scope.add(new internals.seal.Ciphertext());
      ciphertext.loadFromArray(context, buildCiphertext(rns, { nttForm: true, scale: 1 }, both));
      evaluator.cipherTransformFromNttInplace(ciphertext);
      return saveUncompressed(internals.seal, ciphertext);
    });
    const values = asBigUint64(u64Words(transformed, CIPHERTEXT_LAYOUT.data, rns.primes.length * n).slice());
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const signed = rns.primes.map((prime, j) => {
        const v = values[j * n + k]!;
        return v > prime.value / 2n ? v - prime.value : v;
      });
      if (signed.some((v) => v !== signed[0]) || signed[0]! > 2n ** 52n || signed[0]! < -(2n ** 52n)) {
        throw new Error(`coefficient ${k} is not one small integer across the primes: ${signed.join(', ')}`);
      }
      out[k] = Number(signed[0]);
    }
    return out;
  }

  /** a·b + c coefficientwise mod each prime (NTT form: products are pointwise). */
  function mulAdd(level: RnsLevel, a: BigUint64Array, b: BigUint64Array, c: BigUint64Array, negate = false): Uint32Array {
    const n = level.polyModulusDegree;
    const out = new Uint32Array(2 * level.primes.length * n);
    const target = asBigUint64(out);
    level.primes.forEach((prime, j) => {
      const q = prime.value;
      for (let k = j * n; k < (j + 1) * n; k++) {
        const product = (a[k]! * b[k]!) % q;
        target[k] = (c[k]! + (negate ? q - product : product)) % q;
      }
    });
    return out;
  }

  it("SEAL's secret keys (the s_i) are uniform ternary: −1, 0 and 1 a third each", () => {
    const { keyLevel } = internalsOf(ctx);
    const counts = new Map<number, number>();
    const keys = 8;
    for (let i = 0; i < keys; i++) {
      for (const v of inverseNtt('key', parseSecretKey(generateSecretShare(ctx), keyLevel).coefficients)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const n = keys * keyLevel.polyModulusDegree;
    expect([...counts.keys()].sort()).toEqual([-1, 0, 1]);
    // Hoeffding for each proportion.
    for (const count of counts.values()) expect(Math.abs(count / n - 1 / 3)).toBeLessThan(Math.sqrt(LOG_TERM / (2 * n)));
  });

  it("SEAL's encryption noise e0 (its own PRNG) is small and centred with σ ≈ 3.2", () => {
    // Encrypting zero under the public key (0, a) in a context of the data prime alone (how sites
    // encrypt with one data prime: no special prime to divide the noise by) leaves c0 = e0 exactly.
    const { seal, encoder, dataLevel } = internalsOf(ctx);
    const n = dataLevel.polyModulusDegree;
    const samples = withSealScope((scope) => {
      const parms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
      parms.setPolyModulusDegree(n);
      const moduli = scope.add(new seal.VectorModulus());
      for (const prime of dataLevel.primes) moduli.push_back(scope.add(new seal.Modulus(prime.value)));
      parms.setCoeffModulus(moduli);
      const context = scope.add(new seal.SEALContext(parms, true, seal.SecLevelType.tc128));
      const keyWords = new Uint32Array(2 * 2 * dataLevel.primes.length * n);
      keyWords.set(expandCrp(dataLevel, new Uint8Array(randomBytes(32))), keyWords.length / 2);
      const publicKey = scope.add(new seal.PublicKey());
      publicKey.loadFromArray(context, buildPublicKey(dataLevel, keyWords));
      const encryptor = scope.add(new seal.Encryptor(context, publicKey));
      const zero = scope.add(new seal.Plaintext());
      encoder.encode(new Float64Array(n / 2), 2 ** 40, zero);
      const ciphertext = scope.add(new seal.Ciphertext());
      const out: number[] = [];
      for (let i = 0; i < 16; i++) {
        encryptor.encrypt(zero, ciphertext);
        const c0 = parseCiphertext(saveUncompressed(seal, ciphertext), { what: 'ciphertext', level: dataLevel, nttForm: true, scaleBits: 40 }).coefficients;
        out.push(...inverseNtt('data', c0.slice(0, c0.length / 2)));
      }
      return Float64Array.from(out);
    });
    // SEAL 4.1 samples a centred binomial (σ = √10.5 ≈ 3.24, |e| ≤ 21) unless built with
    // SEAL_USE_GAUSSIAN_NOISE (rounded Gaussian σ = 3.2 cut at 19.2): the band admits both.
    const m = samples.length;
    const secondMoment = samples.reduce((sum, x) => sum + x * x, 0) / m;
    const radius = bernsteinRadius(m, 2 * 10.5 ** 2 + 1, 21 ** 2);
    expect(samples.every((x) => Number.isInteger(x) && Math.abs(x) <= 21)).toBe(true);
    expect(Math.abs(samples.reduce((sum, x) => sum + x, 0) / m)).toBeLessThan(bernsteinRadius(m, 10.5, 21));
    expect(secondMoment).toBeGreaterThan(3.2 ** 2 - radius);
    expect(secondMoment).toBeLessThan(10.5 + radius);
    // And it is fresh: two encryptions of zero differ.
    expect(samples.subarray(0, n)).not.toEqual(samples.subarray(n, 2 * n));
  });

  it('public key shares carry e_i = p0_i + a·s_i with σ = KEY_NOISE_SIGMA', () => {
    const { keyLevel } = internalsOf(ctx);
    const noise: Float64Array[] = [];
    for (let i = 0; i < 16; i++) {
      const secret = generateSecretShare(ctx);
      const seed = new Uint8Array(randomBytes(32));
      const p0 = asBigUint64(parseShare(createPublicKeyShare(ctx, secret, seed), ShareKind.publicKey, keyLevel).coefficients.slice());
      const s = asBigUint64(parseSecretKey(secret, keyLevel).coefficients.slice());
      noise.push(inverseNtt('key', mulAdd(keyLevel, asBigUint64(expandCrp(keyLevel, seed)), s, p0)));
    }
    const samples = Float64Array.from(noise.flatMap((e) => [...e]));
    expect(gaussianProblems(samples, KEY_NOISE_SIGMA)).toEqual([]);
  });

  it('decryption shares carry smudging noise e = h − c1·λS with σ = 2^smudgingSigmaBits', () => {
    const { keyLevel, dataLevel } = internalsOf(ctx);
    const sigma = 2 ** DEFAULT_PARAMS.smudgingSigmaBits;
    // A lone decryptor (λ = 1) with a uniformly random key share: h − c1·S is exactly the noise.
    const key = expandCrp(keyLevel, new Uint8Array(randomBytes(32)));
    const keyShare = buildShare(ShareKind.thresholdKey, keyLevel, new Uint8Array(32), key, 1);
    const decryptor = createPartialDecryptor(ctx, keyShare, { self: 1, decryptors: [1] });
    const noise: Float64Array[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        const words = new Uint32Array(2 * 2 * dataLevel.polyModulusDegree * dataLevel.primes.length);
        words.set(expandCrp(dataLevel, new Uint8Array(randomBytes(32))));
        words.set(expandCrp(dataLevel, new Uint8Array(randomBytes(32))), words.length / 2);
        const aggregate = buildCiphertext(dataLevel, { nttForm: true, scale: 2 ** 40 }, words);
        const c1 = asBigUint64(parseCiphertext(aggregate, { what: 'aggregate', level: dataLevel, nttForm: true, scaleBits: 40 }).coefficients.slice(words.length / 2));
        const h = asBigUint64(parseShare(decryptor.decrypt(aggregate), ShareKind.decryption, dataLevel).coefficients.slice());
        // S's first blocks are its residues mod the data primes.
        const s = asBigUint64(key.slice(0, words.length / 2));
        noise.push(inverseNtt('data', mulAdd(dataLevel, c1, s, h, true)));
      }
    } finally {
      decryptor.dispose();
    }
    const samples = Float64Array.from(noise.flatMap((e) => [...e]));
    expect(gaussianProblems(samples, sigma)).toEqual([]);
  });
});
