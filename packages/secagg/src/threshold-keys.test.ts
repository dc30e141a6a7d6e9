import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, maxAbsDifference, mutated, randomVector, runCeremony, thresholdDecrypt } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { weightByLagrange } from './committee-points.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { encryptVector } from './encryption.ts';
import { addModInto } from './rns.ts';
import type { RnsLevel } from './rns.ts';
import { parseSecretKey } from './serialization.ts';
import { parseShare, ShareKind } from './share-format.ts';
import { combineDealtShares, dealShamirShares, validateDealtShare } from './threshold-keys.ts';

/** Decoded values off by more than this are garbage (≈ q/Δ scale), not noise. */
const GARBAGE = 1e3;
const SCALE_BITS = 40;

let ctx: CkksContext;
let keyLevel: RnsLevel;
let ceremony: Ceremony;
let values: Float64Array;
let ciphertext: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  keyLevel = rnsLevels(ctx).key;
  ceremony = runCeremony(ctx, 5, 3);
  values = randomVector(4096, 64);
  ciphertext = encryptVector(ctx, ceremony.publicKey, values, SCALE_BITS)[0]!;
});
afterAll(() => ctx.dispose());

/** Every subset of `points` with `size` elements. */
function subsets(points: readonly number[], size: number): number[][] {
  if (size === 0) return [[]];
  return points.flatMap((point, i) => subsets(points.slice(i + 1), size - 1).map((rest) => [point, ...rest]));
}

/** Σ_{j ∈ set} λ_j·S_j as key-level words. */
function recombined(keyShares: readonly Uint8Array[], set: readonly number[]): Uint32Array {
  const n = keyLevel.polyModulusDegree;
  const sum = new Uint32Array(2 * keyLevel.primes.length * n);
  for (const point of set) {
    const share = parseShare(keyShares[point - 1]!, ShareKind.thresholdKey, keyLevel).coefficients;
    addModInto(sum, sum, weightByLagrange(keyLevel, share, point, set), keyLevel.primes, n);
  }
  return sum;
}

function jointSecret(): Uint32Array {
  const n = keyLevel.polyModulusDegree;
  const sum = new Uint32Array(2 * keyLevel.primes.length * n);
  for (const secret of ceremony.secretShares) addModInto(sum, sum, parseSecretKey(secret, keyLevel).coefficients, keyLevel.primes, n);
  return sum;
}

describe('a 3-of-5 committee', () => {
  it('any 3 members recombine exactly the joint secret Σ s_i, at every prime of the key level', () => {
    const joint = jointSecret();
    for (const set of subsets(ceremony.points, 3)) expect(recombined(ceremony.keyShares, set)).toEqual(joint);
    expect(recombined(ceremony.keyShares, [1, 2, 3, 4, 5])).toEqual(joint);
    expect(recombined(ceremony.keyShares, [2, 5])).not.toEqual(joint);
  });

  it('any 3 members decrypt, and so do 4 or 5', () => {
    for (const set of [...subsets(ceremony.points, 3), [1, 2, 4, 5], ceremony.points]) {
      expect(maxAbsDifference(thresholdDecrypt(ctx, ceremony.keyShares, ciphertext, set), values), `decryptors ${set.join(',')}`).toBeLessThan(1e-3);
    }
  });

  it('no 2 members decrypt, nor 1', () => {
    for (const set of [...subsets(ceremony.points, 2), [3]]) {
      expect(maxAbsDifference(thresholdDecrypt(ctx, ceremony.keyShares, ciphertext, set), values), `decryptors ${set.join(',')}`).toBeGreaterThan(GARBAGE);
    }
  });

  it("gives each member a key share carrying its point and the ceremony's binding", () => {
    ceremony.keyShares.forEach((share, j) => {
      const parsed = parseShare(share, ShareKind.thresholdKey, keyLevel);
      expect(parsed.point).toBe(j + 1);
      expect(parsed.binding).toEqual(ceremony.binding);
      expect(share).toHaveLength(80 + 8 * 2 * 4096);
    });
  });
});

describe('other thresholds', () => {
  it('t = n needs every member (n-of-n); t = 1 lets any member decrypt alone', () => {
    const all = runCeremony(ctx, 3);
    const [encrypted] = encryptVector(ctx, all.publicKey, values, SCALE_BITS);
    expect(maxAbsDifference(thresholdDecrypt(ctx, all.keyShares, encrypted!, [1, 2, 3]), values)).toBeLessThan(1e-3);
    expect(maxAbsDifference(thresholdDecrypt(ctx, all.keyShares, encrypted!, [1, 3]), values)).toBeGreaterThan(GARBAGE);
    const anyone = runCeremony(ctx, 3, 1);
    const [forAnyone] = encryptVector(ctx, anyone.publicKey, values, SCALE_BITS);
    for (const point of anyone.points) expect(maxAbsDifference(thresholdDecrypt(ctx, anyone.keyShares, forAnyone!, [point]), values)).toBeLessThan(1e-3);
  });
});

describe('dealShamirShares', () => {
  it('deals one fresh share per point, in order', () => {
    const points = [4, 9, 2];
    const dealt = dealShamirShares(ctx, ceremony.secretShares[0]!, { threshold: 2, points, binding: ceremony.binding });
    expect(dealt.map((share) => parseShare(share, ShareKind.dealt, keyLevel).point)).toEqual(points);
    const again = dealShamirShares(ctx, ceremony.secretShares[0]!, { threshold: 2, points, binding: ceremony.binding });
    expect(again[0]).not.toEqual(dealt[0]);
  });

  it('refuses a bad threshold, point list or binding, and a threshold key share (that is what resharing is for)', () => {
    const secret = ceremony.secretShares[0]!;
    const binding = ceremony.binding;
    const reject = (opts: { threshold: number; points: number[]; binding: Uint8Array }, message: RegExp): void => {
      expectAppError(() => dealShamirShares(ctx, secret, opts), ErrorCode.INVALID_INPUT, message);
    };
    reject({ threshold: 0, points: [1, 2], binding }, /threshold must be an integer from 1 to the 2 points/);
    reject({ threshold: 3, points: [1, 2], binding }, /threshold/);
    reject({ threshold: 1.5, points: [1, 2], binding }, /threshold/);
    reject({ threshold: 1, points: [], binding }, /at least one/);
    reject({ threshold: 1, points: [1, 1], binding }, /twice/);
    reject({ threshold: 1, points: [0], binding }, /committee point/);
    reject({ threshold: 1, points: [1], binding: new Uint8Array(31) }, /32 bytes/);
    expectAppError(() => dealShamirShares(ctx, ceremony.keyShares[0]!, { threshold: 1, points: [1], binding }), ErrorCode.INVALID_INPUT, /reshareKeyShare/);
    expectAppError(() => dealShamirShares(ctx, ceremony.publicKey, { threshold: 1, points: [1], binding }), ErrorCode.INVALID_CIPHERTEXT, /secret share/);
  });
});

describe('combineDealtShares and validateDealtShare', () => {
  const column = (point: number): Uint8Array[] => ceremony.dealt.map((row) => row[point - 1]!);

  it('recomputes the same key share from the same dealt shares, in any order', () => {
    const opts = { binding: ceremony.binding, point: 2 };
    expect(combineDealtShares(ctx, column(2).reverse(), opts)).toEqual(ceremony.keyShares[1]);
    for (const share of column(2)) validateDealtShare(ctx, share, opts);
  });

  it('refuses shares of another ceremony or dealt to another point, duplicates and an empty list', () => {
    const opts = { binding: ceremony.binding, point: 2 };
    const otherCeremony = { binding: new Uint8Array(randomBytes(32)), point: 2 };
    expectAppError(() => combineDealtShares(ctx, column(2), otherCeremony), ErrorCode.INVALID_CIPHERTEXT, /share #0 was dealt in another ceremony/);
    expectAppError(() => validateDealtShare(ctx, column(2)[0]!, otherCeremony), ErrorCode.INVALID_CIPHERTEXT, /another ceremony/);
    // A hub forwarding member 3's share to member 2 (the sealed box already prevents it).
    const misdirected = [...column(2).slice(0, 4), column(3)[4]!];
    expectAppError(() => combineDealtShares(ctx, misdirected, opts), ErrorCode.INVALID_CIPHERTEXT, /share #4 was dealt to point 3, not to this member \(point 2\)/);
    const replayed = [...column(2), column(2)[1]!];
    expectAppError(() => combineDealtShares(ctx, replayed, opts), ErrorCode.INVALID_INPUT, /share #5 duplicates share #1/);
    expectAppError(() => combineDealtShares(ctx, [], opts), ErrorCode.INVALID_INPUT, /at least one/);
    expectAppError(() => combineDealtShares(ctx, column(2), { binding: ceremony.binding, point: 0 }), ErrorCode.INVALID_INPUT, /point/);
    const unpointed = mutated(column(2)[0]!, (view) => view.setUint16(6, 0, true));
    expectAppError(() => validateDealtShare(ctx, unpointed, opts), ErrorCode.INVALID_CIPHERTEXT, /point is 0, expected a committee point/);
    expectAppError(() => validateDealtShare(ctx, ceremony.keyShares[1]!, opts), ErrorCode.INVALID_CIPHERTEXT, /kind is 4, expected 3/);
  });
});
