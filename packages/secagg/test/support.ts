/** Shared helpers of this package's tests. */
import { randomBytes } from 'node:crypto';
import { AppError } from '@consilium/errors';
import type { ErrorCode } from '@consilium/errors';
import { expect } from 'vitest';
import { createPackedCodec } from '../src/complex-packing.ts';
import { internalsOf } from '../src/context.ts';
import type { CkksContext } from '../src/context.ts';
import { addDecryptionShares, decodeAggregate } from '../src/decryption.ts';
import { combinePublicKeyShares, createPublicKeyShare, generateSecretShare } from '../src/key-ceremony.ts';
import type { CkksParameters } from '../src/parameters.ts';
import { partialDecrypt } from '../src/partial-decryptor.ts';
import { combineDealtShares, dealShamirShares } from '../src/threshold-keys.ts';
import { addModInto } from '../src/rns.ts';
import { withSealScope } from '../src/seal-call.ts';
import { buildPlaintext, parseSecretKey } from '../src/serialization.ts';

/** The study defaults (@consilium/schemas CkksParams). */
export const DEFAULT_PARAMS: CkksParameters = { polyModulusDegree: 4096, coeffModulusBits: [60, 49], smudgingSigmaBits: 20 };

/** Runs `fn`, expects an AppError with `code` whose message matches `message`, and returns it. */
export function expectAppError(fn: () => unknown, code: ErrorCode, message?: RegExp): AppError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an AppError').toBeInstanceOf(AppError);
  const error = thrown as AppError;
  expect(error.code, error.message).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

/** What a key ceremony and the dealing of threshold key shares leave behind. */
export interface Ceremony {
  readonly crpSeed: Uint8Array;
  /** Each member's s_i (the joint secret is their sum). */
  readonly secretShares: Uint8Array[];
  readonly publicKeyShares: Uint8Array[];
  readonly publicKey: Uint8Array;
  /** The committee's points: member k at point k + 1. */
  readonly points: number[];
  readonly threshold: number;
  /** The 32 bytes naming the dealing. */
  readonly binding: Uint8Array;
  /** dealt[i][j]: member i's Shamir share of s_i dealt to member j. */
  readonly dealt: Uint8Array[][];
  /** keyShares[j]: member j's threshold key share S_j = Σ_i dealt[i][j]. */
  readonly keyShares: Uint8Array[];
}

/** A complete key ceremony among `sites` members, any `threshold` of which (default: all) can decrypt. */
export function runCeremony(ctx: CkksContext, sites: number, threshold = sites): Ceremony {
  const crpSeed = new Uint8Array(randomBytes(32));
  const secretShares = Array.from({ length: sites }, () => generateSecretShare(ctx));
  const publicKeyShares = secretShares.map((secret) => createPublicKeyShare(ctx, secret, crpSeed));
  const points = secretShares.map((_, k) => k + 1);
  const binding = new Uint8Array(randomBytes(32));
  const dealt = secretShares.map((secret) => dealShamirShares(ctx, secret, { threshold, points, binding }));
  const keyShares = points.map((point, j) => combineDealtShares(ctx, dealt.map((row) => row[j]!), { binding, point }));
  return {
    crpSeed,
    secretShares,
    publicKeyShares,
    publicKey: combinePublicKeyShares(ctx, crpSeed, publicKeyShares),
    points,
    threshold,
    binding,
    dealt,
    keyShares,
  };
}

/** The sum of the decryption shares of the members at `decryptors`, using `keyShares[point − 1]`. */
export function shareSumOf(ctx: CkksContext, keyShares: readonly Uint8Array[], aggregate: Uint8Array, decryptors: readonly number[]): Uint8Array {
  const shares = decryptors.map((self) => partialDecrypt(ctx, keyShares[self - 1]!, aggregate, { self, decryptors }));
  return shares.slice(1).reduce((sum, share) => addDecryptionShares(ctx, sum, share), shares[0]!);
}

/** What the members at `decryptors` decrypt `aggregate` to, together. */
export function thresholdDecrypt(ctx: CkksContext, keyShares: readonly Uint8Array[], aggregate: Uint8Array, decryptors: readonly number[]): Float64Array {
  return decodeAggregate(ctx, aggregate, shareSumOf(ctx, keyShares, aggregate, decryptors), decryptors);
}

/** Largest |a[i] − b[i]| over the first `length` entries. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>, length = Math.min(a.length, b.length)): number {
  let max = 0;
  for (let i = 0; i < length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Uniform random values in [−bound, bound]. */
export function randomVector(length: number, bound: number): Float64Array {
  return Float64Array.from({ length }, () => (Math.random() * 2 - 1) * bound);
}

/** A copy of `bytes` changed by `edit` through a DataView. */
export function mutated(bytes: Uint8Array, edit: (view: DataView, copy: Uint8Array) => void): Uint8Array {
  const copy = new Uint8Array(bytes);
  edit(new DataView(copy.buffer), copy);
  return copy;
}

/**
 * Decrypts with the joint secret Σ s_i, which no party ever holds in production: a test oracle for
 * what a ciphertext encrypts under the collective key (all N packed values).
 */
export function decryptWithJointKey(ctx: CkksContext, secretShares: readonly Uint8Array[], ciphertext: Uint8Array): Float64Array {
  const { seal, context, keyLevel } = internalsOf(ctx);
  const joint = new Uint32Array(2 * keyLevel.primes.length * keyLevel.polyModulusDegree);
  for (const share of secretShares) addModInto(joint, joint, parseSecretKey(share, keyLevel).coefficients, keyLevel.primes, keyLevel.polyModulusDegree);
  const jointBytes = buildPlaintext(keyLevel, 1, joint);
  const codec = createPackedCodec(internalsOf(ctx));
  try {
    return withSealScope((scope) => {
      const secretKey = scope.add(new seal.SecretKey());
      secretKey.loadFromArray(context, jointBytes);
      const cipher = scope.add(new seal.Ciphertext());
      cipher.loadFromArray(context, ciphertext);
      const plaintext = scope.add(new seal.Plaintext());
      scope.add(new seal.Decryptor(context, secretKey)).decrypt(cipher, plaintext);
      return codec.decode(plaintext);
    });
  } finally {
    codec.dispose();
  }
}
