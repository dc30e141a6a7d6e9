import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, maxAbsDifference, randomVector, runCeremony, thresholdDecrypt } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { encryptVector } from './encryption.ts';
import { combineDealtShares, reshareKeyShare } from './threshold-keys.ts';

/**
 * Re-keying when the committee changes: 3 members of a 3-of-5 committee reshare to a new 2-of-4
 * committee. The collective public key stays, so ciphertexts made before the change decrypt after
 * it; with fewer than 3 old members taking part, the new shares recombine garbage.
 */
const GARBAGE = 1e3;
const SCALE_BITS = 40;
const OLD_DECRYPTORS = [2, 4, 5];
const NEW_POINTS = [1, 2, 3, 4];
const NEW_THRESHOLD = 2;

let ctx: CkksContext;
let old: Ceremony;
let values: Float64Array;
let before: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  old = runCeremony(ctx, 5, 3);
  values = randomVector(4096, 64);
  before = encryptVector(ctx, old.publicKey, values, SCALE_BITS)[0]!;
});
afterAll(() => ctx.dispose());

/** The new committee's key shares from the old members at `resharers` (weighted over `weightedOver`). */
function reshare(resharers: readonly number[], weightedOver: readonly number[] = resharers): Uint8Array[] {
  const binding = new Uint8Array(randomBytes(32));
  const dealt = resharers.map((self) =>
    reshareKeyShare(ctx, old.keyShares[self - 1]!, { self, decryptors: weightedOver, threshold: NEW_THRESHOLD, points: NEW_POINTS, binding }),
  );
  return NEW_POINTS.map((point, j) => combineDealtShares(ctx, dealt.map((row) => row[j]!), { binding, point }));
}

describe('reshareKeyShare', () => {
  it('hands the same key to a new 2-of-4 committee: old ciphertexts decrypt with any 2 new members, not with 1', () => {
    const fresh = reshare(OLD_DECRYPTORS);
    for (const set of [
      [1, 2],
      [3, 4],
      [1, 4],
      [1, 2, 3, 4],
    ]) {
      expect(maxAbsDifference(thresholdDecrypt(ctx, fresh, before, set), values), `new decryptors ${set.join(',')}`).toBeLessThan(1e-3);
    }
    expect(maxAbsDifference(thresholdDecrypt(ctx, fresh, before, [3]), values)).toBeGreaterThan(GARBAGE);
    // New ciphertexts still go under the ceremony's public key.
    const after = encryptVector(ctx, old.publicKey, values, SCALE_BITS)[0]!;
    expect(maxAbsDifference(thresholdDecrypt(ctx, fresh, after, [2, 3]), values)).toBeLessThan(1e-3);
  });

  it('with fewer than the old threshold of old members, the new shares recombine garbage', () => {
    // Two old members weighting for their pair, or for the full trio with the third missing.
    for (const fresh of [reshare([2, 4]), reshare([2, 4], OLD_DECRYPTORS)]) {
      expect(maxAbsDifference(thresholdDecrypt(ctx, fresh, before, [1, 2]), values)).toBeGreaterThan(GARBAGE);
    }
  });

  it('new shares do not mix with old ones, and the old committee keeps its own shares', () => {
    const fresh = reshare(OLD_DECRYPTORS);
    const mixed = [fresh[0]!, old.keyShares[1]!, old.keyShares[2]!, fresh[3]!];
    expect(maxAbsDifference(thresholdDecrypt(ctx, mixed, before, [1, 2]), values)).toBeGreaterThan(GARBAGE);
    expect(maxAbsDifference(thresholdDecrypt(ctx, old.keyShares, before, [1, 3, 5]), values)).toBeLessThan(1e-3);
  });

  it('refuses a resharer outside its decryptor set or holding another point, and a bad new dealing', () => {
    const share = old.keyShares[1]!;
    const opts = { self: 2, decryptors: OLD_DECRYPTORS, threshold: NEW_THRESHOLD, points: NEW_POINTS, binding: new Uint8Array(32) };
    expectAppError(() => reshareKeyShare(ctx, share, { ...opts, decryptors: [4, 5, 1] }), ErrorCode.INVALID_INPUT, /self \(point 2\) is not one of/);
    expectAppError(() => reshareKeyShare(ctx, old.keyShares[0]!, opts), ErrorCode.INVALID_INPUT, /belongs to point 1/);
    expectAppError(() => reshareKeyShare(ctx, share, { ...opts, threshold: 5 }), ErrorCode.INVALID_INPUT, /threshold/);
    expectAppError(() => reshareKeyShare(ctx, old.secretShares[1]!, opts), ErrorCode.INVALID_CIPHERTEXT, /threshold key share: magic/);
  });
});
