/**
 * The only file that calls @consilium/secagg's key-ceremony and decryption API, so the benchmark
 * follows that API in one place: t-of-n threshold keys dealt among the committee (every site).
 */
import { randomBytes } from 'node:crypto';
import {
  addDecryptionShares,
  combineDealtShares,
  combinePublicKeyShares,
  createPartialDecryptor,
  createPublicKeyShare,
  dealShamirShares,
  decodeChunks,
  encryptVectorChunks,
  generateSecretShare,
  validateDealtShare,
  validateDecryptionShare,
  validatePublicKey,
  validatePublicKeyShare,
} from '@consilium/secagg';
import type { CkksContext, PartialDecryptor } from '@consilium/secagg';

/** What the ceremony leaves: the collective public key, and each committee member's threshold key share. */
export interface CkksKeys {
  publicKey: Uint8Array;
  /** keyShares[k]: the member at point k + 1. */
  keyShares: Uint8Array[];
  /** Members needed to decrypt. */
  threshold: number;
}

/** Values per ciphertext. */
export function valuesPerChunk(ctx: CkksContext): number {
  return ctx.valuesPerChunk;
}

/**
 * A real key ceremony among `members` committee members, every message validated as the hub and the
 * members do: public key shares combined into the collective key, then each member's secret share
 * Shamir-dealt to every member, who combine what they receive into their threshold key shares.
 */
export function runKeyCeremony(ctx: CkksContext, members: number, threshold: number): CkksKeys {
  const crpSeed = new Uint8Array(randomBytes(32));
  const secrets = Array.from({ length: members }, () => generateSecretShare(ctx));
  const publicShares = secrets.map((secret) => createPublicKeyShare(ctx, secret, crpSeed));
  publicShares.forEach((share) => validatePublicKeyShare(ctx, share));
  const publicKey = combinePublicKeyShares(ctx, crpSeed, publicShares);
  validatePublicKey(ctx, publicKey);
  const points = secrets.map((_, k) => k + 1);
  const binding = new Uint8Array(randomBytes(32));
  const dealt = secrets.map((secret) => dealShamirShares(ctx, secret, { threshold, points, binding }));
  const keyShares = points.map((point, j) => {
    const received = dealt.map((row) => row[j]!);
    received.forEach((share) => validateDealtShare(ctx, share, { binding, point }));
    return combineDealtShares(ctx, received, { binding, point });
  });
  return { publicKey, keyShares, threshold };
}

/** A site's ciphertexts one at a time: a site never holds its whole encrypted update. */
export function encryptChunks(ctx: CkksContext, publicKey: Uint8Array, values: Float64Array, scaleBits: number): Generator<Uint8Array, void, undefined> {
  return encryptVectorChunks(ctx, publicKey, values, scaleBits);
}

/** The committee points asked to decrypt: the first `threshold` (any `threshold` of them would do). */
export function decryptorsOf(keys: CkksKeys): number[] {
  return Array.from({ length: keys.threshold }, (_, k) => k + 1);
}

/** The member at point `self`'s partial decryptor for this decryptor set; dispose it when done. */
export function partialDecryptor(ctx: CkksContext, keys: CkksKeys, self: number, decryptors: readonly number[]): PartialDecryptor {
  return createPartialDecryptor(ctx, keys.keyShares[self - 1]!, { self, decryptors });
}

/** The hub's check and running sum of the decryptors' shares of one aggregate chunk. */
export function addShare(ctx: CkksContext, sum: Uint8Array | undefined, share: Uint8Array, aggregate: Uint8Array, decryptors: readonly number[]): Uint8Array {
  validateDecryptionShare(ctx, share, { aggregate, decryptors });
  return sum === undefined ? share : addDecryptionShares(ctx, sum, share);
}

/** The decoded sum, `length` values. */
export function decodeSum(ctx: CkksContext, aggregates: readonly Uint8Array[], shareSums: readonly Uint8Array[], length: number, decryptors: readonly number[]): Float64Array {
  return decodeChunks(ctx, aggregates, shareSums, length, decryptors);
}
