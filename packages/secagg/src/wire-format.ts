import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { checkScaleBits } from './scale.ts';
import { buildCiphertext, CIPHERTEXT_LAYOUT, CIPHERTEXT_POLYS, parseCiphertext } from './serialization.ts';
import { u64Words } from './words.ts';

/**
 * The compact wire format of a fresh ciphertext, what a site uploads. SEAL's serialization spends
 * 64 bits on each coefficient of a ≤ 60-bit prime, plus a 113-byte header the hub can rebuild from
 * the study's parameters. The wire format keeps only what the hub cannot know:
 *
 *     "CKW1"            4 bytes   magic
 *     scaleBits         u8        the ciphertext's scale is exactly 2^scaleBits
 *     reserved          3 bytes   zero
 *     coefficients      for each polynomial (2) × data prime × N: the coefficient in exactly
 *                       bitLength(prime) bits, least significant first, as little-endian u32 words
 *
 * At N = 4096 with one 60-bit data prime that is 8 + 61,440 bytes per 4,096 values: 15.002 bytes
 * per parameter instead of 16.03. `expandCiphertext` is the hub's strict reader: exact length, magic,
 * scale, every coefficient below its prime; it rebuilds the SEAL bytes from the study's own
 * parameters, so nothing in the header is taken from the wire but the scale, which must match.
 */

const MAGIC = [0x43, 0x4b, 0x57, 0x31];
const HEADER_BYTES = 8;

/** Bytes of a wire-format ciphertext for this context. */
export function wireCiphertextBytes(ctx: CkksContext): number {
  const { dataLevel } = internalsOf(ctx);
  const bits = dataLevel.primes.reduce((n, prime) => n + prime.bits, 0) * dataLevel.polyModulusDegree * CIPHERTEXT_POLYS;
  return HEADER_BYTES + bits / 8;
}

/** Packs a ciphertext this site just made (SEAL serialization, validated on the way) into the wire format. */
export function packCiphertext(ctx: CkksContext, sealBytes: Uint8Array, scaleBits: number): Uint8Array {
  const { dataLevel } = internalsOf(ctx);
  parseCiphertext(sealBytes, { what: 'ciphertext', level: dataLevel, nttForm: true, scaleBits });
  const n = dataLevel.polyModulusDegree;
  const words = u64Words(sealBytes, CIPHERTEXT_LAYOUT.data, CIPHERTEXT_POLYS * dataLevel.primes.length * n);
  const out = new Uint8Array(wireCiphertextBytes(ctx));
  out.set(MAGIC, 0);
  out[4] = scaleBits;
  const packed = new Uint32Array(out.buffer, HEADER_BYTES, (out.length - HEADER_BYTES) / 4);
  let pos = 0;
  const blocks = CIPHERTEXT_POLYS * dataLevel.primes.length;
  for (let block = 0; block < blocks; block++) {
    const bits = dataLevel.primes[block % dataLevel.primes.length]!.bits;
    const loBits = Math.min(bits, 32);
    const hiBits = bits - loBits;
    for (let k = block * n; k < (block + 1) * n; k++) {
      pos = writeBits(packed, pos, words[2 * k]!, loBits);
      if (hiBits > 0) pos = writeBits(packed, pos, words[2 * k + 1]!, hiBits);
    }
  }
  return out;
}

/**
 * Reads an untrusted wire-format ciphertext (any Uint8Array: a Buffer or a view at any offset) and
 * returns its SEAL serialization, ready to be added. Throws INVALID_CIPHERTEXT naming what is wrong:
 * length, magic, scale, or the first coefficient not below its prime; INVALID_INPUT for what is not a
 * Uint8Array.
 */
export function expandCiphertext(ctx: CkksContext, wire: Uint8Array, expected: { scaleBits: number }): Uint8Array {
  const { dataLevel } = internalsOf(ctx);
  checkScaleBits(ctx, expected.scaleBits);
  if (!(wire instanceof Uint8Array)) {
    const got: unknown = wire;
    const kind = got === null ? 'null' : ArrayBuffer.isView(got) ? `a ${Object.prototype.toString.call(got).slice(8, -1)}` : typeof got;
    throw new AppError(ErrorCode.INVALID_INPUT, `ciphertext: expected a Uint8Array in the wire format, got ${kind}`, { details: { object: 'ciphertext', got: kind } });
  }
  const length = wireCiphertextBytes(ctx);
  if (wire.byteLength !== length) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `ciphertext: expected ${length} bytes in the wire format for this study's parameters, got ${wire.byteLength}`, {
      details: { expected: length, actual: wire.byteLength },
    });
  }
  if (MAGIC.some((byte, i) => wire[i] !== byte) || wire[5] !== 0 || wire[6] !== 0 || wire[7] !== 0) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'ciphertext: not in the wire format (bad magic or reserved bytes)');
  }
  if (wire[4] !== expected.scaleBits) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `ciphertext: scale 2^${wire[4]}, expected exactly 2^${expected.scaleBits}`, {
      details: { scaleBits: wire[4], expected: expected.scaleBits },
    });
  }
  // Copy exactly the viewed bytes after the header, so the words are 4-byte aligned whatever the
  // offset, and a view of a larger store (a Node Buffer, a subarray) reads its own bytes.
  const packed = new Uint32Array((wire.length - HEADER_BYTES) / 4);
  new Uint8Array(packed.buffer).set(wire.subarray(HEADER_BYTES));
  const n = dataLevel.polyModulusDegree;
  const blocks = CIPHERTEXT_POLYS * dataLevel.primes.length;
  const coefficients = new Uint32Array(2 * blocks * n);
  // The hub's hot path: the bit reader is inlined (a coefficient is a low part of ≤ 32 bits and a
  // high part of the rest), and the range check compares the two halves with the prime's.
  let pos = 0;
  for (let block = 0; block < blocks; block++) {
    const prime = dataLevel.primes[block % dataLevel.primes.length]!;
    const loBits = Math.min(prime.bits, 32);
    const hiBits = prime.bits - loBits;
    const loMask = loBits === 32 ? 0xffffffff : (1 << loBits) - 1;
    const hiMask = (1 << hiBits) - 1;
    const qLo = prime.lo;
    const qHi = prime.hi;
    for (let k = block * n; k < (block + 1) * n; k++) {
      let word = pos >>> 5;
      let offset = pos & 31;
      let lo = packed[word]! >>> offset;
      if (offset + loBits > 32) lo |= packed[word + 1]! << (32 - offset);
      lo = (lo & loMask) >>> 0;
      pos += loBits;
      let hi = 0;
      if (hiBits > 0) {
        word = pos >>> 5;
        offset = pos & 31;
        hi = packed[word]! >>> offset;
        if (offset + hiBits > 32) hi |= packed[word + 1]! << (32 - offset);
        hi &= hiMask;
        pos += hiBits;
      }
      if (hi > qHi || (hi === qHi && lo >= qLo)) {
        throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `ciphertext: coefficient ${k} is not below its prime ${prime.value}`, { details: { coefficient: k } });
      }
      coefficients[2 * k] = lo;
      coefficients[2 * k + 1] = hi;
    }
  }
  return buildCiphertext(dataLevel, { nttForm: true, scale: 2 ** expected.scaleBits }, coefficients);
}

/** Writes the low `count` (≤ 32) bits of `value` at bit `pos`; returns the next position. */
function writeBits(out: Uint32Array, pos: number, value: number, count: number): number {
  const word = pos >>> 5;
  const offset = pos & 31;
  out[word] = (out[word]! | (value << offset)) >>> 0;
  if (offset + count > 32) out[word + 1] = (out[word + 1]! | (value >>> (32 - offset))) >>> 0;
  return pos + count;
}

