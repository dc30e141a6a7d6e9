import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, decryptWithJointKey, expectAppError, maxAbsDifference, mutated, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import { encryptVector } from './encryption.ts';
import { combinePublicKeyShares, createPublicKeyShare, generateSecretShare, validatePublicKey, validatePublicKeyShare } from './key-ceremony.ts';
import { parsePublicKey, parseSecretKey } from './serialization.ts';

let ctx: CkksContext;
let ceremony: Ceremony;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 3);
});
afterAll(() => ctx.dispose());

describe('key ceremony', () => {
  it('gives each site its own secret share, a SEAL secret key at the key level', () => {
    const [first, second] = ceremony.secretShares;
    expect(first).not.toEqual(second);
    expect(() => parseSecretKey(first!, rnsLevels(ctx).key)).not.toThrow();
  });

  it('combines the public shares into a key whose secret is Σ s_i', () => {
    validatePublicKey(ctx, ceremony.publicKey);
    const values = randomVector(2048, 64);
    const [ciphertext] = encryptVector(ctx, ceremony.publicKey, values, 40);
    expect(maxAbsDifference(decryptWithJointKey(ctx, ceremony.secretShares, ciphertext!), values)).toBeLessThan(1e-6);
    // Without one site's secret, the same ciphertext is noise.
    expect(maxAbsDifference(decryptWithJointKey(ctx, ceremony.secretShares.slice(1), ciphertext!), values)).toBeGreaterThan(1e3);
  });

  it('puts the CRP in the key and is reproducible by anyone holding the seed and the shares', () => {
    const { key } = rnsLevels(ctx);
    const coefficients = parsePublicKey(ceremony.publicKey, key).coefficients;
    expect(coefficients.subarray(coefficients.length / 2)).toEqual(expandCrp(key, ceremony.crpSeed));
    const reordered = [...ceremony.publicKeyShares].reverse();
    expect(combinePublicKeyShares(ctx, ceremony.crpSeed, reordered)).toEqual(ceremony.publicKey);
  });

  it('a key missing a site cannot be decrypted by the sites it names', () => {
    const partialKey = combinePublicKeyShares(ctx, ceremony.crpSeed, ceremony.publicKeyShares.slice(1));
    const values = randomVector(16, 64);
    const [ciphertext] = encryptVector(ctx, partialKey, values, 40);
    expect(maxAbsDifference(decryptWithJointKey(ctx, ceremony.secretShares, ciphertext!), values)).toBeGreaterThan(1e3);
  });

  it('makes public shares with fresh noise: the same secret and seed give different shares', () => {
    const secret = ceremony.secretShares[0]!;
    const share = createPublicKeyShare(ctx, secret, ceremony.crpSeed);
    validatePublicKeyShare(ctx, share);
    expect(share).not.toEqual(ceremony.publicKeyShares[0]);
    expect(share.subarray(0, 80)).toEqual(ceremony.publicKeyShares[0]!.subarray(0, 80));
  });

  it('refuses shares for another seed, duplicates, malformed shares and an empty list', () => {
    const foreign = createPublicKeyShare(ctx, generateSecretShare(ctx), new Uint8Array(randomBytes(32)));
    validatePublicKeyShare(ctx, foreign);
    expectAppError(
      () => combinePublicKeyShares(ctx, ceremony.crpSeed, [...ceremony.publicKeyShares, foreign]),
      ErrorCode.INVALID_CIPHERTEXT,
      /share #3 was made for a different CRP seed/,
    );
    expectAppError(
      () => combinePublicKeyShares(ctx, ceremony.crpSeed, [ceremony.publicKeyShares[0]!, ceremony.publicKeyShares[1]!, ceremony.publicKeyShares[0]!]),
      ErrorCode.INVALID_INPUT,
      /share #2 duplicates share #0/,
    );
    const truncated = ceremony.publicKeyShares[1]!.subarray(0, 1000);
    expectAppError(() => combinePublicKeyShares(ctx, ceremony.crpSeed, [ceremony.publicKeyShares[0]!, truncated]), ErrorCode.INVALID_CIPHERTEXT, /length/);
    expectAppError(() => combinePublicKeyShares(ctx, ceremony.crpSeed, []), ErrorCode.INVALID_INPUT, /at least one/);
    expectAppError(() => combinePublicKeyShares(ctx, new Uint8Array(8), ceremony.publicKeyShares), ErrorCode.INVALID_INPUT, /CRP seed/);
  });

  it('validates public keys and secret shares strictly', () => {
    expectAppError(() => validatePublicKey(ctx, ceremony.publicKeyShares[0]!), ErrorCode.INVALID_CIPHERTEXT, /public key: header\.magic/);
    const q = ctx.keyModuli[1]!;
    const tampered = mutated(ceremony.publicKey, (view) => view.setBigUint64(113 + 8 * 5000, q, true));
    expectAppError(() => validatePublicKey(ctx, tampered), ErrorCode.INVALID_CIPHERTEXT, /coefficient 5000/);
    expectAppError(() => validatePublicKeyShare(ctx, ceremony.publicKey), ErrorCode.INVALID_CIPHERTEXT, /public key share: magic/);
    expectAppError(() => createPublicKeyShare(ctx, ceremony.publicKey, ceremony.crpSeed), ErrorCode.INVALID_CIPHERTEXT, /secret share/);
  });
});
