import { AppError, ErrorCode } from '@consilium/errors';
import type { Decryptor } from 'node-seal';
import { checkDecryptorSet, weightByLagrange } from './committee-points.ts';
import type { CkksContext, ContextInternals } from './context.ts';
import { internalsOf } from './context.ts';
import { decryptionBinding } from './decryption-binding.ts';
import { callSeal, saveUncompressed, sealBytes, SealScope } from './seal-call.ts';
import { buildPlaintext, CIPHERTEXT_LAYOUT, parseCiphertext, PLAINTEXT_LAYOUT } from './serialization.ts';
import { buildShare, ShareKind } from './share-format.ts';
import { createSmudgingNoise } from './smudging.ts';
import type { SmudgingNoise } from './smudging.ts';
import { parseKeyShare } from './threshold-keys.ts';
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

/**
 * A committee member's partial decryption: for an aggregate (c0, c1), the decryption share
 * h = c1·λ·S + e, with S the member's threshold key share, λ its Lagrange coefficient over the
 * decryptor set, and e fresh smudging noise (σ = 2^smudgingSigmaBits). The hub adds the shares of
 * the whole set and decodes c0 + Σ h = m + noise, since Σ λ_j·S_j = s. Without e, h − c1·λS would
 * be zero and the hub could solve for S, so it is never optional. With fewer than t decryptors,
 * Σ λ_j·S_j is not s and the sum decodes to garbage.
 *
 * Decrypt only genuine aggregates of enough sites (check the hash the task names): a hub that gets
 * t members to decrypt a single site's ciphertext learns that site's update.
 */

/** Who decrypts: this member's point and the decryptor set it decrypts with. */
export interface DecryptorSetOptions {
  readonly self: number;
  /** Distinct committee points, self included; every share must be computed for the same set. */
  readonly decryptors: readonly number[];
}

/** Partial decryption with a key share weighted once for one decryptor set. */
export interface PartialDecryptor {
  /** This member's decryption share of one aggregate ciphertext, bound to it and to the decryptor set. */
  decrypt(aggregate: Uint8Array): Uint8Array;
  /** Frees the SEAL objects holding the weighted key; the decryptor is unusable afterwards. Idempotent. */
  dispose(): void;
}

/**
 * Weighs `keyShare` (a threshold key share from combineDealtShares, whose point must be `self`) by
 * λ_self over `decryptors` once and returns a decryptor for any number of chunks. Throws
 * INVALID_INPUT for a bad decryptor set or a share of another point, INVALID_CIPHERTEXT for a
 * malformed share. Dispose it when done.
 */
export function createPartialDecryptor(ctx: CkksContext, keyShare: Uint8Array, opts: DecryptorSetOptions): PartialDecryptor {
  const internals = internalsOf(ctx);
  const { seal, context, dataLevel, keyLevel } = internals;
  if (typeof opts !== 'object' || opts === null) {
    // Callers of the former n-of-n partialDecrypt(ctx, secretShare, aggregate) land here.
    throw new AppError(ErrorCode.INVALID_INPUT, 'partial decryption needs { self, decryptors }: the decryptor set the key share is weighted for');
  }
  checkDecryptorSet(opts.self, opts.decryptors);
  const decryptors = Object.freeze([...opts.decryptors]);
  const weighted = weightByLagrange(keyLevel, parseKeyShare(keyLevel, keyShare, opts.self), opts.self, decryptors);
  const scope = new SealScope();
  let decryptor: Decryptor;
  let noise: SmudgingNoise;
  try {
    decryptor = loadDecryptor(internals, scope, weighted);
    noise = createSmudgingNoise(internals, 2 ** ctx.params.smudgingSigmaBits);
  } catch (error) {
    scope.dispose();
    throw error;
  }
  const ciphertext = scope.add(new seal.Ciphertext());
  const plaintext = scope.add(new seal.Plaintext());
  const count = dataLevel.primes.length * dataLevel.polyModulusDegree;
  let disposed = false;
  return {
    decrypt(aggregate) {
      if (disposed) throw new AppError(ErrorCode.INVALID_INPUT, 'this partial decryptor has been disposed');
      parseCiphertext(aggregate, { what: 'aggregate ciphertext', level: dataLevel, nttForm: true, scaleBits: 'any' });
      // Decrypting (NTT(e), c1) with λS yields exactly NTT(e) + c1·λS.
      const crafted = allocateAligned(aggregate.length, CIPHERTEXT_LAYOUT.data);
      crafted.set(aggregate);
      noise.fill(writableU64Words(crafted, CIPHERTEXT_LAYOUT.data, count));
      try {
        callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the aggregate ciphertext', () => ciphertext.loadFromArray(context, sealBytes(crafted)));
      } finally {
        crafted.fill(0);
      }
      callSeal(ErrorCode.INTERNAL, 'Partial decryption', () => decryptor.decrypt(ciphertext, plaintext));
      const share = u64Words(saveUncompressed(seal, plaintext), PLAINTEXT_LAYOUT.data, count);
      return buildShare(ShareKind.decryption, dataLevel, decryptionBinding(aggregate, decryptors), share);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      noise.dispose();
      scope.dispose();
    },
  };
}

/** A SEAL Decryptor holding the weighted key share (wiped from JS memory once loaded). */
function loadDecryptor(internals: ContextInternals, scope: SealScope, weighted: Uint32Array): Decryptor {
  const { seal, context, keyLevel } = internals;
  const keyBytes = buildPlaintext(keyLevel, 1, weighted);
  weighted.fill(0);
  const key = new seal.SecretKey();
  try {
    callSeal(ErrorCode.INTERNAL, 'Loading the weighted key share', () => key.loadFromArray(context, sealBytes(keyBytes)));
    // The Decryptor keeps its own copy of the key.
    return scope.add(new seal.Decryptor(context, key));
  } finally {
    key.delete();
    keyBytes.fill(0);
  }
}

/** One decryption share with a decryptor made and disposed for it; for many chunks, keep a createPartialDecryptor. */
export function partialDecrypt(ctx: CkksContext, keyShare: Uint8Array, aggregate: Uint8Array, opts: DecryptorSetOptions): Uint8Array {
  const decryptor = createPartialDecryptor(ctx, keyShare, opts);
  try {
    return decryptor.decrypt(aggregate);
  } finally {
    decryptor.dispose();
  }
}
