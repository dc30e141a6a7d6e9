import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { chunkCount, checkScaleBits, maxEncodableMagnitude } from './scale.ts';
import { callSeal, saveUncompressed, withSealScope } from './seal-call.ts';
import { parsePublicKey } from './serialization.ts';

/** Options of encryptVector. */
export interface EncryptOptions {
  /** Called after each chunk with the chunks done so far and the total. */
  onProgress?: (doneChunks: number, totalChunks: number) => void;
}

/**
 * Encrypts `values` under the collective public key at scale 2^scaleBits: one serialized ciphertext
 * per chunk of slotsPerChunk values, the last chunk padded with zeros. Throws ENCODING_RANGE naming
 * the first value that is not finite or whose magnitude exceeds maxEncodableMagnitude (the budget a
 * sum must fit too: choose scaleBits with chooseScaleBits), INVALID_CIPHERTEXT for a bad public key.
 */
export function encryptVector(
  ctx: CkksContext,
  publicKey: Uint8Array,
  values: Float64Array,
  scaleBits: number,
  options: EncryptOptions = {},
): Uint8Array[] {
  const { seal, context, encoder, keyLevel } = internalsOf(ctx);
  checkScaleBits(ctx, scaleBits);
  if (!(values instanceof Float64Array) || values.length === 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'encryptVector needs a non-empty Float64Array of values');
  }
  const maxAbs = maxEncodableMagnitude(ctx, scaleBits);
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
  parsePublicKey(publicKey, keyLevel, 'collective public key');
  const slots = ctx.slotsPerChunk;
  const total = chunkCount(ctx, values.length);
  return withSealScope((scope) => {
    const key = scope.add(new seal.PublicKey());
    callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading the collective public key', () => key.loadFromArray(context, publicKey));
    const encryptor = scope.add(new seal.Encryptor(context, key));
    const plaintext = scope.add(new seal.Plaintext());
    const ciphertext = scope.add(new seal.Ciphertext());
    const lastChunk = new Float64Array(slots);
    const out: Uint8Array[] = [];
    for (let chunk = 0; chunk < total; chunk++) {
      let input = values.subarray(chunk * slots, (chunk + 1) * slots);
      if (input.length < slots) {
        lastChunk.set(input);
        input = lastChunk;
      }
      callSeal(ErrorCode.ENCODING_RANGE, `Encoding chunk ${chunk}`, () => encoder.encode(input, 2 ** scaleBits, plaintext));
      callSeal(ErrorCode.INTERNAL, `Encrypting chunk ${chunk}`, () => encryptor.encrypt(plaintext, ciphertext));
      out.push(saveUncompressed(seal, ciphertext));
      options.onProgress?.(chunk + 1, total);
    }
    return out;
  });
}
