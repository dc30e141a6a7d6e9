import { AppError, ErrorCode } from '@consilium/errors';
import type { Encryptor } from 'node-seal';
import { createPackedCodec } from './complex-packing.ts';
import type { ContextInternals, CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { chunkCount, checkScaleBits, maxEncodableMagnitude } from './scale.ts';
import { callSeal, saveUncompressed, sealBytes, SealScope } from './seal-call.ts';
import { buildPublicKey, CIPHERTEXT_POLYS, parsePublicKey } from './serialization.ts';

/** Options of encryptVector and encryptVectorChunks. */
export interface EncryptOptions {
  /** Called after each chunk with the chunks done so far and the total. */
  onProgress?: (doneChunks: number, totalChunks: number) => void;
}

/**
 * Encrypts `values` under the collective public key at scale 2^scaleBits, one serialized
 * ciphertext per chunk of valuesPerChunk (N) values, yielded one at a time so a long vector never
 * has all its ciphertexts in memory; the last chunk is padded with zeros.
 *
 * The arguments are checked when this is called: ENCODING_RANGE names the first value that is not
 * finite or whose magnitude exceeds maxEncodableMagnitude (the budget a sum must fit too: choose
 * scaleBits with chooseScaleBits), INVALID_CIPHERTEXT a malformed public key. SEAL's own load of
 * the key happens at the first chunk. Iterate to the end or leave the loop early (for…of calls
 * return()); a generator dropped half-way without return() keeps its SEAL objects.
 */
export function encryptVectorChunks(
  ctx: CkksContext,
  publicKey: Uint8Array,
  values: Float64Array,
  scaleBits: number,
  options: EncryptOptions = {},
): Generator<Uint8Array, void, undefined> {
  const internals = internalsOf(ctx);
  checkScaleBits(ctx, scaleBits);
  if (!(values instanceof Float64Array) || values.length === 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'encryptVector needs a non-empty Float64Array of values');
  }
  checkMagnitudes(values, maxEncodableMagnitude(ctx, scaleBits), scaleBits);
  const keyBytes = encryptionKeyBytes(internals, publicKey);
  return chunks(internals, keyBytes, values, scaleBits, chunkCount(ctx, values.length), options);
}

/** encryptVectorChunks, collected: every ciphertext at once (fine for vectors of moderate size). */
export function encryptVector(ctx: CkksContext, publicKey: Uint8Array, values: Float64Array, scaleBits: number, options: EncryptOptions = {}): Uint8Array[] {
  return [...encryptVectorChunks(ctx, publicKey, values, scaleBits, options)];
}

function* chunks(
  internals: ContextInternals,
  keyBytes: Uint8Array,
  values: Float64Array,
  scaleBits: number,
  total: number,
  options: EncryptOptions,
): Generator<Uint8Array, void, undefined> {
  const { seal } = internals;
  const perChunk = 2 * internals.encoder.slotCount();
  const scope = new SealScope();
  const codec = createPackedCodec(internals);
  try {
    const encryptor = loadEncryptor(internals, scope, keyBytes);
    const ciphertext = scope.add(new seal.Ciphertext());
    for (let chunk = 0; chunk < total; chunk++) {
      const plaintext = codec.encode(values.subarray(chunk * perChunk, (chunk + 1) * perChunk), 2 ** scaleBits);
      callSeal(ErrorCode.INTERNAL, `Encrypting chunk ${chunk}`, () => encryptor.encrypt(plaintext, ciphertext));
      const bytes = saveUncompressed(seal, ciphertext);
      options.onProgress?.(chunk + 1, total);
      yield bytes;
    }
  } finally {
    codec.dispose();
    scope.dispose();
  }
}

function checkMagnitudes(values: Float64Array, maxAbs: number, scaleBits: number): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // Written so that NaN fails too.
    if (!(Math.abs(value) <= maxAbs)) {
      throw new AppError(
        ErrorCode.ENCODING_RANGE,
        `value #${i} (${value}) does not fit scale 2^${scaleBits}: magnitudes up to ${maxAbs} are allowed (clip it, or choose a scale from a larger bound)`,
        { details: { index: i, value, maxAbs, scaleBits } },
      );
    }
  }
}

/**
 * The public key bytes the encryption context takes: the collective key itself, or (one data prime)
 * its rows of the data prime, which is the same key reduced mod that prime (see encryptionContext).
 */
function encryptionKeyBytes(internals: ContextInternals, publicKey: Uint8Array): Uint8Array {
  const { keyLevel, dataLevel, encryptionContext, context } = internals;
  const parsed = parsePublicKey(publicKey, keyLevel, 'collective public key');
  if (encryptionContext === context) return sealBytes(publicKey);
  const n = keyLevel.polyModulusDegree;
  const keyPrimes = keyLevel.primes.length;
  const dataPrimes = dataLevel.primes.length;
  const words = new Uint32Array(2 * CIPHERTEXT_POLYS * dataPrimes * n);
  for (let poly = 0; poly < CIPHERTEXT_POLYS; poly++) {
    words.set(parsed.coefficients.subarray(2 * poly * keyPrimes * n, 2 * (poly * keyPrimes + dataPrimes) * n), 2 * poly * dataPrimes * n);
  }
  return buildPublicKey(dataLevel, words);
}

function loadEncryptor(internals: ContextInternals, scope: SealScope, keyBytes: Uint8Array): Encryptor {
  const { seal, encryptionContext } = internals;
  const key = scope.add(new seal.PublicKey());
  callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the collective public key', () => key.loadFromArray(encryptionContext, sealBytes(keyBytes)));
  return scope.add(new seal.Encryptor(encryptionContext, key));
}
