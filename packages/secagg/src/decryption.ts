import { AppError, ErrorCode } from '@consilium/errors';
import { checkPointSet } from './committee-points.ts';
import { createPackedCodec } from './complex-packing.ts';
import type { PackedCodec } from './complex-packing.ts';
import type { CkksContext, ContextInternals } from './context.ts';
import { internalsOf } from './context.ts';
import { decryptionBinding } from './decryption-binding.ts';
import { addModInto, addSerializedCoefficients } from './rns.ts';
import { chunkCount } from './scale.ts';
import { callSeal, sealBytes, withSealScope } from './seal-call.ts';
import { buildPlaintext, parseCiphertext } from './serialization.ts';
import { parseShare, sameShareHeader, SHARE_HEADER_BYTES, ShareKind } from './share-format.ts';

/**
 * The hub's side of threshold decryption: checking decryption shares (partial-decryptor.ts makes
 * them), adding those of one aggregate and decryptor set, and decoding c0 + Σ h into the N values
 * a packed ciphertext carries.
 */

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** What a decryption share must have been computed for; the binding covers both, so both are needed to check it. */
export interface DecryptionShareExpectation {
  readonly aggregate?: Uint8Array;
  readonly decryptors?: readonly number[];
}

/**
 * Checks an untrusted decryption share (format, parameters, every coefficient reduced) and, when
 * `expected` names the aggregate and the decryptor set, that it was computed for exactly those.
 * Throws INVALID_CIPHERTEXT; INVALID_INPUT when only one of aggregate and decryptors is given.
 */
export function validateDecryptionShare(ctx: CkksContext, share: Uint8Array, expected: DecryptionShareExpectation = {}): void {
  const parsed = parseShare(share, ShareKind.decryption, internalsOf(ctx).dataLevel);
  const { aggregate, decryptors } = expected;
  if (aggregate === undefined && decryptors === undefined) return;
  if (aggregate === undefined || decryptors === undefined) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'validateDecryptionShare: a share is bound to its aggregate and decryptor set together; give both or neither');
  }
  checkPointSet(decryptors, 'decryptors');
  if (!sameBytes(parsed.binding, decryptionBinding(aggregate, decryptors))) {
    throw new AppError(
      ErrorCode.INVALID_CIPHERTEXT,
      'decryption share was computed for a different aggregate ciphertext or decryptor set (another chunk, round, or set of decryptors?)',
    );
  }
}

/**
 * The sum of a running share sum and one more validated share of the same aggregate and decryptor
 * set (mod each prime), so the hub keeps one share-sized state per chunk. Start with the first
 * share. The caller checks that each decryptor of the set contributes exactly once.
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
    throw new AppError(ErrorCode.INVALID_INPUT, 'addDecryptionShares: the shares belong to different aggregates, decryptor sets or parameters');
  }
  const count = dataLevel.primes.length * dataLevel.polyModulusDegree;
  return addSerializedCoefficients(shareSum, share, SHARE_HEADER_BYTES, count, dataLevel.primes, dataLevel.polyModulusDegree);
}

/**
 * Decodes an aggregate with the sum of the decryption shares of every member of `decryptors`:
 * c0 + Σ h_j, as valuesPerChunk (N) values. Throws INVALID_INPUT when the shares were computed for
 * another aggregate or decryptor set. With a share missing the result is noise of magnitude ~q/Δ,
 * not an error: the hub cannot tell.
 */
export function decodeAggregate(ctx: CkksContext, aggregate: Uint8Array, shareSum: Uint8Array, decryptors: readonly number[]): Float64Array {
  const internals = internalsOf(ctx);
  const codec = createPackedCodec(internals);
  try {
    return decodeWith(internals, codec, aggregate, shareSum, decryptors);
  } finally {
    codec.dispose();
  }
}

/**
 * Decodes every chunk of an aggregated vector and trims the zero padding: `aggregates[i]` with
 * `shareSums[i]` (shares of `decryptors`), `length` values in all.
 */
export function decodeChunks(
  ctx: CkksContext,
  aggregates: readonly Uint8Array[],
  shareSums: readonly Uint8Array[],
  length: number,
  decryptors: readonly number[],
): Float64Array {
  const internals = internalsOf(ctx);
  const expected = chunkCount(ctx, length);
  if (aggregates.length !== expected || shareSums.length !== expected) {
    throw new AppError(ErrorCode.INVALID_INPUT, `decodeChunks: ${length} values take ${expected} chunks; got ${aggregates.length} aggregates and ${shareSums.length} share sums`, {
      details: { length, expected, aggregates: aggregates.length, shareSums: shareSums.length },
    });
  }
  const out = new Float64Array(length);
  const perChunk = ctx.valuesPerChunk;
  const codec = createPackedCodec(internals);
  try {
    aggregates.forEach((aggregate, chunk) => {
      const values = decodeWith(internals, codec, aggregate, shareSums[chunk]!, decryptors);
      out.set(values.subarray(0, Math.min(perChunk, length - chunk * perChunk)), chunk * perChunk);
    });
  } finally {
    codec.dispose();
  }
  return out;
}

function decodeWith(internals: ContextInternals, codec: PackedCodec, aggregate: Uint8Array, shareSum: Uint8Array, decryptors: readonly number[]): Float64Array {
  const { seal, context, dataLevel } = internals;
  checkPointSet(decryptors, 'decryptors');
  const parsed = parseCiphertext(aggregate, { what: 'aggregate ciphertext', level: dataLevel, nttForm: true, scaleBits: 'any' });
  const shares = parseShare(shareSum, ShareKind.decryption, dataLevel);
  if (!sameBytes(shares.binding, decryptionBinding(aggregate, decryptors))) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'decodeAggregate: the decryption shares were computed for a different aggregate ciphertext or decryptor set');
  }
  const count = dataLevel.primes.length * dataLevel.polyModulusDegree;
  const message = new Uint32Array(2 * count);
  addModInto(message, parsed.coefficients.subarray(0, 2 * count), shares.coefficients, dataLevel.primes, dataLevel.polyModulusDegree);
  const plaintextBytes = buildPlaintext(dataLevel, parsed.scale, message);
  return withSealScope((scope) => {
    const plaintext = scope.add(new seal.Plaintext());
    callSeal(ErrorCode.INTERNAL, 'Loading the combined plaintext', () => plaintext.loadFromArray(context, sealBytes(plaintextBytes)));
    return codec.decode(plaintext);
  });
}
