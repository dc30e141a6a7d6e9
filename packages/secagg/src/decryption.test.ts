import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, maxAbsDifference, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { addCiphertexts } from './aggregation.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { addDecryptionShares, decodeAggregate, decodeChunks, validateDecryptionShare } from './decryption.ts';
import { encryptVector } from './encryption.ts';
import { partialDecrypt } from './partial-decryptor.ts';

const SCALE_BITS = 40;
/** A 2-of-3 committee decrypting with members 1 and 3. */
const DECRYPTORS = [1, 3];
let ctx: CkksContext;
let ceremony: Ceremony;
let values: Float64Array;
let aggregate: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 3, 2);
  values = randomVector(4096, 64);
  const halves = [values.map((v) => v / 2), values.map((v) => v / 2)];
  const [a, b] = halves.map((half) => encryptVector(ctx, ceremony.publicKey, half, SCALE_BITS)[0]!);
  aggregate = addCiphertexts(ctx, a!, b!);
});
afterAll(() => ctx.dispose());

const shareOf = (self: number, of = aggregate, decryptors = DECRYPTORS): Uint8Array =>
  partialDecrypt(ctx, ceremony.keyShares[self - 1]!, of, { self, decryptors });
const sumOf = (shares: Uint8Array[]): Uint8Array => shares.slice(1).reduce((sum, share) => addDecryptionShares(ctx, sum, share), shares[0]!);
const decodeWith = (shares: Uint8Array[], of = aggregate, decryptors = DECRYPTORS): Float64Array => decodeAggregate(ctx, of, sumOf(shares), decryptors);

describe('combining decryption shares', () => {
  it("decodes all N packed values with the decryptor set's shares, and only with all of them", () => {
    const shares = DECRYPTORS.map((self) => shareOf(self));
    for (const share of shares) {
      expect(share).toHaveLength(ctx.decryptionShareBytes);
      validateDecryptionShare(ctx, share, { aggregate, decryptors: DECRYPTORS });
    }
    const decoded = decodeWith(shares);
    expect(decoded).toHaveLength(4096);
    expect(maxAbsDifference(decoded, values)).toBeLessThan(1e-3);
    expect(maxAbsDifference(decodeWith([shares[0]!]), values)).toBeGreaterThan(1e3);
  });

  it('adds fresh smudging noise of σ = 2^smudgingSigmaBits to every share, in both halves of every slot', () => {
    const first = shareOf(3);
    const second = shareOf(3);
    expect(first).not.toEqual(second);
    // Two decodings differing only in member 3's share differ by Decode(e − e'): each real value (a
    // slot's real or imaginary part) by about σ·sqrt(2)·sqrt(N/2)/Δ (half of N terms of variance 2σ²).
    const base = shareOf(1);
    const withSecond = decodeWith([base, second]);
    const difference = decodeWith([base, first]).map((v, i) => v - withSecond[i]!);
    const expected = (2 ** DEFAULT_PARAMS.smudgingSigmaBits * Math.sqrt(2) * Math.sqrt(2048)) / 2 ** SCALE_BITS;
    for (const half of [difference.subarray(0, 2048), difference.subarray(2048)]) {
      const std = Math.sqrt(half.reduce((sum, d) => sum + d * d, 0) / half.length);
      expect(std / expected).toBeGreaterThan(0.8);
      expect(std / expected).toBeLessThan(1.25);
    }
  });

  it('binds shares to their aggregate: shares of another chunk are refused, not combined', () => {
    const [other] = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), SCALE_BITS);
    const foreign = shareOf(1, other);
    validateDecryptionShare(ctx, foreign);
    expectAppError(
      () => validateDecryptionShare(ctx, foreign, { aggregate, decryptors: DECRYPTORS }),
      ErrorCode.INVALID_CIPHERTEXT,
      /different aggregate ciphertext or decryptor set/,
    );
    const share = shareOf(3);
    expectAppError(() => addDecryptionShares(ctx, share, foreign), ErrorCode.INVALID_INPUT, /different aggregates, decryptor sets/);
    expectAppError(() => decodeAggregate(ctx, aggregate, foreign, DECRYPTORS), ErrorCode.INVALID_INPUT, /different aggregate ciphertext or decryptor set/);
    expectAppError(() => addDecryptionShares(ctx, share, share.subarray(8)), ErrorCode.INVALID_INPUT, /32848-byte/);
  });

  it('binds shares to their decryptor set: shares weighted for another set are refused, whatever the order', () => {
    const forOtherSet = shareOf(1, aggregate, [1, 2]);
    validateDecryptionShare(ctx, forOtherSet, { aggregate, decryptors: [2, 1] });
    expectAppError(() => validateDecryptionShare(ctx, forOtherSet, { aggregate, decryptors: DECRYPTORS }), ErrorCode.INVALID_CIPHERTEXT, /decryptor set/);
    expectAppError(() => addDecryptionShares(ctx, shareOf(3), forOtherSet), ErrorCode.INVALID_INPUT, /decryptor sets/);
    const sum = sumOf([shareOf(1), shareOf(3)]);
    expect(maxAbsDifference(decodeAggregate(ctx, aggregate, sum, [3, 1]), values)).toBeLessThan(1e-3);
    expectAppError(() => decodeAggregate(ctx, aggregate, sum, [1, 2]), ErrorCode.INVALID_INPUT, /decryptor set/);
    expectAppError(() => decodeAggregate(ctx, aggregate, sum, [1, 3, 3]), ErrorCode.INVALID_INPUT, /twice/);
  });

  it('checks a binding only when given both the aggregate and the decryptor set', () => {
    const share = shareOf(1);
    expectAppError(() => validateDecryptionShare(ctx, share, { aggregate }), ErrorCode.INVALID_INPUT, /give both or neither/);
    expectAppError(() => validateDecryptionShare(ctx, share, { decryptors: DECRYPTORS }), ErrorCode.INVALID_INPUT, /give both or neither/);
    expectAppError(() => validateDecryptionShare(ctx, share, { aggregate, decryptors: [] }), ErrorCode.INVALID_INPUT, /at least one/);
    expectAppError(() => validateDecryptionShare(ctx, ceremony.publicKeyShares[0]!), ErrorCode.INVALID_CIPHERTEXT, /kind is 1, expected 2/);
    expectAppError(() => validateDecryptionShare(ctx, ceremony.keyShares[0]!), ErrorCode.INVALID_CIPHERTEXT, /got threshold key share/);
  });
});

describe('decodeChunks', () => {
  it('decodes every chunk and trims the padding', () => {
    const sites = [randomVector(9000, 8), randomVector(9000, 8)];
    const [first, second] = sites.map((x) => encryptVector(ctx, ceremony.publicKey, x, SCALE_BITS));
    const aggregates = first!.map((chunk, i) => addCiphertexts(ctx, chunk, second![i]!));
    const shareSums = aggregates.map((chunk) => sumOf(DECRYPTORS.map((self) => shareOf(self, chunk))));
    const decoded = decodeChunks(ctx, aggregates, shareSums, 9000, DECRYPTORS);
    expect(decoded).toHaveLength(9000);
    expect(maxAbsDifference(decoded, sites[0]!.map((v, i) => v + sites[1]![i]!))).toBeLessThan(1e-3);
    expectAppError(() => decodeChunks(ctx, aggregates, shareSums, 13000, DECRYPTORS), ErrorCode.INVALID_INPUT, /13000 values take 4 chunks/);
    expectAppError(() => decodeChunks(ctx, aggregates, shareSums.slice(1), 9000, DECRYPTORS), ErrorCode.INVALID_INPUT);
    expectAppError(() => decodeChunks(ctx, aggregates, shareSums, 9000, [1, 2]), ErrorCode.INVALID_INPUT, /decryptor set/);
  });
});
