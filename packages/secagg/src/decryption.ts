import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { nttOfSmallPolynomial } from './ntt.ts';
import { sampleDiscreteGaussian } from './noise.ts';
import { addModInto, addSerializedCoefficients } from './rns.ts';
import { chunkCount } from './scale.ts';
import { callSeal, saveUncompressed, withSealScope } from './seal-call.ts';
import { buildPlaintext, CIPHERTEXT_LAYOUT, parseCiphertext, parseSecretKey, PLAINTEXT_LAYOUT } from './serialization.ts';
import { buildShare, parseShare, sameShareHeader, SHARE_HEADER_BYTES, ShareKind } from './share-format.ts';
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

/**
 * n-of-n decryption of an aggregate (c0, c1) under s = Σ s_i. Site i returns
 * h_i = c1·s_i + e_i with fresh smudging noise e_i (σ = 2^smudgingSigmaBits); the hub sums the h_i
 * and decodes c0 + Σ h_i = m + noise. Without the smudging noise, h_i − c1·s_i would be zero and
 * the hub could solve for s_i, so it is never optional. Every h_i is needed: one missing leaves a
 * uniformly random term c1·s_i in the sum.
 */

const AGGREGATE_BINDING_LABEL = 'consilium/secagg/aggregate-binding/v1';

function aggregateBinding(aggregate: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(AGGREGATE_BINDING_LABEL).update(aggregate).digest());
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * This site's decryption share of one aggregate ciphertext. The secret share never leaves the
 * call. Decrypt only genuine aggregates of enough sites (check the hash the task names): a hub that
 * gets every site to decrypt a single site's ciphertext learns that site's update.
 */
export function partialDecrypt(ctx: CkksContext, secretShare: Uint8Array, aggregate: Uint8Array): Uint8Array {
  const internals = internalsOf(ctx);
  const { seal, context, dataLevel, keyLevel } = internals;
  parseCiphertext(aggregate, { what: 'aggregate ciphertext', level: dataLevel, nttForm: true, scaleBits: 'any' });
  parseSecretKey(secretShare, keyLevel, 'secret share');
  const n = dataLevel.polyModulusDegree;
  const count = dataLevel.primes.length * n;
  const noise = sampleDiscreteGaussian(n, 2 ** ctx.params.smudgingSigmaBits);
  const smudging = nttOfSmallPolynomial(internals, 'data', noise);
  noise.fill(0);
  // Decrypting (NTT(e_i), c1) with s_i yields exactly NTT(e_i) + c1·s_i.
  const crafted = allocateAligned(aggregate.length, CIPHERTEXT_LAYOUT.data);
  crafted.set(aggregate);
  writableU64Words(crafted, CIPHERTEXT_LAYOUT.data, count).set(smudging);
  const share = withSealScope((scope) => {
    const secretKey = scope.add(new seal.SecretKey());
    callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the secret share', () => secretKey.loadFromArray(context, secretShare));
    const ciphertext = scope.add(new seal.Ciphertext());
    callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the aggregate ciphertext', () => ciphertext.loadFromArray(context, crafted));
    const decryptor = scope.add(new seal.Decryptor(context, secretKey));
    const plaintext = scope.add(new seal.Plaintext());
    callSeal(ErrorCode.INTERNAL, 'Partial decryption', () => decryptor.decrypt(ciphertext, plaintext));
    return u64Words(saveUncompressed(seal, plaintext), PLAINTEXT_LAYOUT.data, count);
  });
  return buildShare(ShareKind.decryption, dataLevel, aggregateBinding(aggregate), share);
}

/**
 * Checks an untrusted decryption share (format, parameters, every coefficient reduced) and, when
 * `expected.aggregate` is given, that it was computed for that aggregate. Throws INVALID_CIPHERTEXT.
 */
export function validateDecryptionShare(ctx: CkksContext, share: Uint8Array, expected: { aggregate?: Uint8Array } = {}): void {
  const parsed = parseShare(share, ShareKind.decryption, internalsOf(ctx).dataLevel);
  if (expected.aggregate !== undefined && !sameBytes(parsed.binding, aggregateBinding(expected.aggregate))) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'decryption share was computed for a different aggregate ciphertext (another chunk or round?)');
  }
}

/**
 * The sum of a running share sum and one more validated share of the same aggregate (mod each
 * prime), so the hub keeps one share-sized state per chunk. Start with the first share.
 */
export function addDecryptionShares(ctx: CkksContext, shareSum: Uint8Array, share: Uint8Array): Uint8Array {
  const { dataLevel } = internalsOf(ctx);
  const length = ctx.decryptionShareBytes;
  if (shareSum.length !== length || share.length !== length) {
    throw new AppError(ErrorCode.INVALID_INPUT, `addDecryptionShares takes validated ${length}-byte decryption shares`, {
      details: { shareSumBytes: shareSum.length, shareBytes: share.length, expected: length },
    });
  }
  if (!sameShareHeader(shareSum, share)) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'addDecryptionShares: the shares belong to different aggregates or parameters');
  }
  const count = dataLevel.primes.length * dataLevel.polyModulusDegree;
  return addSerializedCoefficients(shareSum, share, SHARE_HEADER_BYTES, count, dataLevel.primes, dataLevel.polyModulusDegree);
}

/**
 * Decodes an aggregate with the sum of every site's decryption share: c0 + Σ h_i, as slotsPerChunk
 * values. Throws INVALID_INPUT when the shares were computed for another aggregate. With a share
 * missing the result is noise of magnitude ~q/Δ, not an error: the hub cannot tell.
 */
export function decodeAggregate(ctx: CkksContext, aggregate: Uint8Array, shareSum: Uint8Array): Float64Array {
  const { seal, context, encoder, dataLevel } = internalsOf(ctx);
  const parsed = parseCiphertext(aggregate, { what: 'aggregate ciphertext', level: dataLevel, nttForm: true, scaleBits: 'any' });
  const shares = parseShare(shareSum, ShareKind.decryption, dataLevel);
  if (!sameBytes(shares.binding, aggregateBinding(aggregate))) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'decodeAggregate: the decryption shares were computed for a different aggregate ciphertext');
  }
  const count = dataLevel.primes.length * dataLevel.polyModulusDegree;
  const message = new Uint32Array(2 * count);
  addModInto(message, parsed.coefficients.subarray(0, 2 * count), shares.coefficients, dataLevel.primes, dataLevel.polyModulusDegree);
  const plaintextBytes = buildPlaintext(dataLevel, parsed.scale, message);
  return withSealScope((scope) => {
    const plaintext = scope.add(new seal.Plaintext());
    callSeal(ErrorCode.INTERNAL, 'Loading the combined plaintext', () => plaintext.loadFromArray(context, plaintextBytes));
    const values = callSeal(ErrorCode.INTERNAL, 'Decoding the aggregate', (): unknown => encoder.decodeFloat64(plaintext));
    if (!(values instanceof Float64Array)) throw new AppError(ErrorCode.INTERNAL, 'SEAL decoded no Float64Array');
    return values;
  });
}

/**
 * Decodes every chunk of an aggregated vector and trims the zero padding: `aggregates[i]` with
 * `shareSums[i]`, `length` values in all.
 */
export function decodeChunks(ctx: CkksContext, aggregates: readonly Uint8Array[], shareSums: readonly Uint8Array[], length: number): Float64Array {
  const expected = chunkCount(ctx, length);
  if (aggregates.length !== expected || shareSums.length !== expected) {
    throw new AppError(ErrorCode.INVALID_INPUT, `decodeChunks: ${length} values take ${expected} chunks; got ${aggregates.length} aggregates and ${shareSums.length} share sums`, {
      details: { length, expected, aggregates: aggregates.length, shareSums: shareSums.length },
    });
  }
  const out = new Float64Array(length);
  const slots = ctx.slotsPerChunk;
  aggregates.forEach((aggregate, chunk) => {
    const values = decodeAggregate(ctx, aggregate, shareSums[chunk]!);
    out.set(values.subarray(0, Math.min(slots, length - chunk * slots)), chunk * slots);
  });
  return out;
}
