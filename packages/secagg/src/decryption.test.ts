import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, maxAbsDifference, mutated, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { addCiphertexts } from './aggregation.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { addDecryptionShares, decodeAggregate, decodeChunks, partialDecrypt, validateDecryptionShare } from './decryption.ts';
import { encryptVector } from './encryption.ts';

const SCALE_BITS = 40;
let ctx: CkksContext;
let ceremony: Ceremony;
let values: Float64Array;
let aggregate: Uint8Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 2);
  values = randomVector(2048, 64);
  const halves = [values.map((v) => v / 2), values.map((v) => v / 2)];
  const [a, b] = halves.map((half) => encryptVector(ctx, ceremony.publicKey, half, SCALE_BITS)[0]!);
  aggregate = addCiphertexts(ctx, a!, b!);
});
afterAll(() => ctx.dispose());

const shareOf = (site: number, of = aggregate): Uint8Array => partialDecrypt(ctx, ceremony.secretShares[site]!, of);
const decodeWith = (shares: Uint8Array[], of = aggregate): Float64Array =>
  decodeAggregate(ctx, of, shares.slice(1).reduce((sum, share) => addDecryptionShares(ctx, sum, share), shares[0]!));

describe('partial decryption and combining', () => {
  it('decrypts the aggregate with every share and only with every share', () => {
    const shares = [shareOf(0), shareOf(1)];
    for (const share of shares) {
      expect(share).toHaveLength(ctx.decryptionShareBytes);
      validateDecryptionShare(ctx, share, { aggregate });
    }
    expect(maxAbsDifference(decodeWith(shares), values)).toBeLessThan(1e-3);
    expect(maxAbsDifference(decodeWith([shares[0]!]), values)).toBeGreaterThan(1e3);
  });

  it('adds fresh smudging noise of σ = 2^smudgingSigmaBits to every share', () => {
    const first = shareOf(1);
    const second = shareOf(1);
    expect(first).not.toEqual(second);
    // Two decodings differing only in site 1's share differ by Decode(e − e'): per slot about
    // σ·sqrt(2)·sqrt(N/2)/Δ (real part of N terms of variance 2σ²).
    const base = shareOf(0);
    const withSecond = decodeWith([base, second]);
    const difference = decodeWith([base, first]).map((v, i) => v - withSecond[i]!);
    const std = Math.sqrt(difference.reduce((sum, d) => sum + d * d, 0) / difference.length);
    const expected = (2 ** DEFAULT_PARAMS.smudgingSigmaBits * Math.sqrt(2) * Math.sqrt(2048)) / 2 ** SCALE_BITS;
    expect(std / expected).toBeGreaterThan(0.8);
    expect(std / expected).toBeLessThan(1.25);
  });

  it('binds shares to their aggregate: shares of another chunk are refused, not combined', () => {
    const [other] = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), SCALE_BITS);
    const foreign = shareOf(0, other);
    validateDecryptionShare(ctx, foreign);
    expectAppError(() => validateDecryptionShare(ctx, foreign, { aggregate }), ErrorCode.INVALID_CIPHERTEXT, /different aggregate/);
    const share = shareOf(1);
    expectAppError(() => addDecryptionShares(ctx, share, foreign), ErrorCode.INVALID_INPUT, /different aggregates/);
    expectAppError(() => decodeAggregate(ctx, aggregate, foreign), ErrorCode.INVALID_INPUT, /different aggregate/);
    expectAppError(() => addDecryptionShares(ctx, share, share.subarray(8)), ErrorCode.INVALID_INPUT, /32848-byte/);
  });

  it('refuses a malformed aggregate or secret share before decrypting', () => {
    const secret = ceremony.secretShares[0]!;
    expectAppError(() => partialDecrypt(ctx, secret, aggregate.subarray(0, 500)), ErrorCode.INVALID_CIPHERTEXT, /aggregate ciphertext: header\.size/);
    expectAppError(() => partialDecrypt(ctx, secret, mutated(aggregate, (view) => view.setUint8(48, 0))), ErrorCode.INVALID_CIPHERTEXT, /is_ntt_form/);
    expectAppError(() => partialDecrypt(ctx, aggregate, aggregate), ErrorCode.INVALID_CIPHERTEXT, /secret share/);
    expectAppError(() => validateDecryptionShare(ctx, ceremony.publicKeyShares[0]!), ErrorCode.INVALID_CIPHERTEXT, /kind is 1, expected 2/);
  });
});

describe('decodeChunks', () => {
  it('decodes every chunk and trims the padding', () => {
    const sites = [randomVector(3000, 8), randomVector(3000, 8)];
    const [first, second] = sites.map((x) => encryptVector(ctx, ceremony.publicKey, x, SCALE_BITS));
    const aggregates = first!.map((chunk, i) => addCiphertexts(ctx, chunk, second![i]!));
    const shareSums = aggregates.map((chunk) => addDecryptionShares(ctx, shareOf(0, chunk), shareOf(1, chunk)));
    const decoded = decodeChunks(ctx, aggregates, shareSums, 3000);
    expect(decoded).toHaveLength(3000);
    expect(maxAbsDifference(decoded, sites[0]!.map((v, i) => v + sites[1]![i]!))).toBeLessThan(1e-3);
    expectAppError(() => decodeChunks(ctx, aggregates, shareSums, 5000), ErrorCode.INVALID_INPUT, /5000 values take 3 chunks/);
    expectAppError(() => decodeChunks(ctx, aggregates, shareSums.slice(1), 3000), ErrorCode.INVALID_INPUT);
  });
});
