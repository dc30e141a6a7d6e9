import { AppError, ErrorCode } from '@consilium/errors';
import type { VectorEncoding } from '@consilium/schemas';
import { addWireCiphertext, readWireCiphertext, type CkksContext, type WireCiphertext } from '@consilium/secagg';

/** One chunk of a submission, validated: a ciphertext read from the wire format, or float64 bytes. */
export type AddablePart = WireCiphertext | Uint8Array;

/**
 * The additive "privacy layer" seen from the hub: how one chunk of a round's vector is read
 * (validated) and added into the running sum. CKKS chunks are ciphertexts added homomorphically;
 * plaintext chunks are float64 vectors (studies that opted out of encryption, and benchmarks).
 */
export function readPart(encoding: VectorEncoding, context: CkksContext | null, part: Uint8Array, bound: number): AddablePart {
  // Ciphertexts arrive in the compact wire format; the strict reader checks every coefficient.
  if (encoding.scheme === 'ckks-multiparty') return readWireCiphertext(context!, part, { scaleBits: encoding.scaleBits });
  if (part.byteLength !== encoding.length * 8) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Plaintext update must be ${encoding.length} float64 values (${encoding.length * 8} bytes), got ${part.byteLength} bytes`);
  }
  const values = toFloat64(part);
  // The same bound the encrypted encoding relies on: an honest site never exceeds it, and it keeps
  // the running sum finite whatever others send.
  const bad = values.findIndex((v) => !(Math.abs(v) <= bound));
  if (bad >= 0) throw new AppError(ErrorCode.INVALID_INPUT, `Plaintext update value ${bad} (${values[bad]}) is not a number within ±${bound}`);
  return part;
}

/** Adds a validated chunk into an accumulator (or starts one); the accumulator is not modified. */
export function addPart(context: CkksContext | null, accumulator: Uint8Array | null, part: AddablePart): Uint8Array {
  // A ciphertext is added where its coefficients lie, into SEAL's serialization of the sum.
  if (!(part instanceof Uint8Array)) return addWireCiphertext(context!, accumulator, part);
  if (accumulator === null) return part.slice();
  const sum = toFloat64(accumulator);
  const add = toFloat64(part);
  for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + add[i]!;
  return new Uint8Array(sum.buffer);
}

/** Copies little-endian float64 bytes into an aligned Float64Array. */
export function toFloat64(bytes: Uint8Array): Float64Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}
