import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Polynomials as arrays of little-endian u64 coefficients, held in `Uint32Array`s (low word first).
 *
 * SEAL serializes coefficients as little-endian u64s at offsets that are not 8-byte aligned (a
 * ciphertext's start at byte 113), and typed-array views need alignment. Readers therefore copy
 * unaligned regions and writers allocate buffers whose coefficient region is aligned; hot paths then
 * work on 32-bit halves without BigInt, and key generation can view the same memory as BigUint64Array.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  // Typed arrays use the platform's byte order; SEAL's format is little-endian.
  if (!LITTLE_ENDIAN) throw new AppError(ErrorCode.INTERNAL, 'secure aggregation needs a little-endian platform');
}

/**
 * The `count` u64 values at byte `offset` of `bytes`, as 2·count words: a view when the region is
 * 8-byte aligned, otherwise an aligned copy. Callers must treat the result as read-only.
 */
export function u64Words(bytes: Uint8Array, offset: number, count: number): Uint32Array {
  requireLittleEndian();
  const start = bytes.byteOffset + offset;
  if (start % 8 === 0) return new Uint32Array(bytes.buffer, start, count * 2);
  const copy = new Uint32Array(count * 2);
  new Uint8Array(copy.buffer).set(bytes.subarray(offset, offset + count * 8));
  return copy;
}

/** The same words viewed as BigUint64 values (the words must be 8-byte aligned, as u64Words guarantees). */
export function asBigUint64(words: Uint32Array): BigUint64Array {
  return new BigUint64Array(words.buffer, words.byteOffset, words.length / 2);
}

/**
 * A zeroed byte array of `byteLength` bytes whose byte `alignedOffset` sits on an 8-byte boundary of
 * its buffer, so the coefficient region of a serialized object can be written through a typed view.
 */
export function allocateAligned(byteLength: number, alignedOffset: number): Uint8Array {
  const shift = (8 - (alignedOffset % 8)) % 8;
  return new Uint8Array(new ArrayBuffer(byteLength + shift), shift, byteLength);
}

/** A writable word view of `count` u64 values at `offset` of an array made by allocateAligned. */
export function writableU64Words(bytes: Uint8Array, offset: number, count: number): Uint32Array {
  requireLittleEndian();
  const start = bytes.byteOffset + offset;
  if (start % 8 !== 0) throw new AppError(ErrorCode.INTERNAL, `coefficient region at byte ${offset} is not aligned`);
  return new Uint32Array(bytes.buffer, start, count * 2);
}
