import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { checkScaleBits } from './scale.ts';
import { addModInto } from './rns.ts';
import { buildCiphertext, CIPHERTEXT_LAYOUT, CIPHERTEXT_POLYS, parseCiphertext } from './serialization.ts';
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

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

/** A wire-format ciphertext that passed the strict reader: its coefficients as aligned u64 word pairs (low word first). */
export interface WireCiphertext {
  readonly scaleBits: number;
  readonly words: Uint32Array;
}

/**
 * Reads an untrusted wire-format ciphertext (any Uint8Array: a Buffer or a view at any offset) and
 * returns its SEAL serialization. Throws INVALID_CIPHERTEXT naming what is wrong: length, magic,
 * scale, or the first coefficient not below its prime; INVALID_INPUT for what is not a Uint8Array.
 */
export function expandCiphertext(ctx: CkksContext, wire: Uint8Array, expected: { scaleBits: number }): Uint8Array {
  const read = readWireCiphertext(ctx, wire, expected);
  return buildCiphertext(internalsOf(ctx).dataLevel, { nttForm: true, scale: 2 ** read.scaleBits }, read.words);
}

/**
 * The hub's strict reader without rebuilding SEAL's bytes: the same checks as `expandCiphertext`,
 * returning the coefficients to add with `addWireCiphertext` (the hub's ingest path).
 */
export function readWireCiphertext(ctx: CkksContext, wire: Uint8Array, expected: { scaleBits: number }): WireCiphertext {
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
  // The words after the header: a view when they are 4-byte aligned in their buffer, else a copy of
  // exactly the viewed bytes (a Node Buffer or a subarray at any offset reads its own bytes only).
  const wordCount = (wire.length - HEADER_BYTES) / 4;
  let packed: Uint32Array;
  if ((wire.byteOffset + HEADER_BYTES) % 4 === 0) {
    packed = new Uint32Array(wire.buffer, wire.byteOffset + HEADER_BYTES, wordCount);
  } else {
    packed = new Uint32Array(wordCount);
    new Uint8Array(packed.buffer).set(wire.subarray(HEADER_BYTES));
  }
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
    if (prime.bits === 60 && n % 8 === 0 && pos % 32 === 0) {
      const bad = read60BitBlock(packed, pos >>> 5, coefficients, block * n, n, qLo, qHi);
      if (bad >= 0) {
        const k = block * n + bad;
        throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `ciphertext: coefficient ${k} is not below its prime ${prime.value}`, { details: { coefficient: k } });
      }
      pos += 60 * n;
      continue;
    }
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
  return { scaleBits: expected.scaleBits, words: coefficients };
}

/**
 * Adds a ciphertext read by `readWireCiphertext` into an accumulator (SEAL serialization of earlier
 * sums at the same scale; null starts one) and returns the new sum, serialized; the accumulator is
 * not modified. One pass: the coefficients are added where they lie, without serializing the
 * addend first — byte-identical to `addCiphertexts(accumulator, expandCiphertext(wire))`.
 */
export function addWireCiphertext(ctx: CkksContext, accumulator: Uint8Array | null, ciphertext: WireCiphertext): Uint8Array {
  const { dataLevel } = internalsOf(ctx);
  if (accumulator === null) return buildCiphertext(dataLevel, { nttForm: true, scale: 2 ** ciphertext.scaleBits }, ciphertext.words);
  const header = ciphertextHeader(ctx, ciphertext.scaleBits);
  const dataOffset = CIPHERTEXT_LAYOUT.data;
  if (accumulator.length !== ctx.ciphertextBytes || header.some((byte, i) => accumulator[i] !== byte)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `addWireCiphertext: the accumulator is not a ${ctx.ciphertextBytes}-byte ciphertext of this study's parameters at scale 2^${ciphertext.scaleBits}`);
  }
  const count = CIPHERTEXT_POLYS * dataLevel.primes.length * dataLevel.polyModulusDegree;
  const sum = allocateAligned(accumulator.length, dataOffset);
  sum.set(header);
  addModInto(writableU64Words(sum, dataOffset, count), u64Words(accumulator, dataOffset, count), ciphertext.words, dataLevel.primes, dataLevel.polyModulusDegree);
  return sum;
}

/** SEAL's header of a data-level ciphertext at scale 2^scaleBits for this context, built once. */
const headers = new WeakMap<CkksContext, Map<number, Uint8Array>>();
function ciphertextHeader(ctx: CkksContext, scaleBits: number): Uint8Array {
  let byScale = headers.get(ctx);
  if (!byScale) headers.set(ctx, (byScale = new Map<number, Uint8Array>()));
  let header = byScale.get(scaleBits);
  if (!header) {
    const { dataLevel } = internalsOf(ctx);
    const zeros = new Uint32Array(2 * CIPHERTEXT_POLYS * dataLevel.primes.length * dataLevel.polyModulusDegree);
    header = buildCiphertext(dataLevel, { nttForm: true, scale: 2 ** scaleBits }, zeros).slice(0, CIPHERTEXT_LAYOUT.data);
    byScale.set(scaleBits, header);
  }
  return header;
}

/**
 * The reader's fast path for 60-bit primes (the study default): 8 coefficients fill exactly 15
 * words, so each group is decoded with fixed shifts and no per-coefficient bit arithmetic. Writes
 * the coefficients' word pairs from `out[2·first]` on and returns the index (within the block) of
 * the first coefficient not below the prime, or -1.
 */
function read60BitBlock(packed: Uint32Array, word: number, out: Uint32Array, first: number, n: number, qLo: number, qHi: number): number {
  const M = 0x0fffffff;
  for (let g = 0; g < n; g += 8, word += 15) {
    const w0 = packed[word + 0]!;
    const w1 = packed[word + 1]!;
    const w2 = packed[word + 2]!;
    const w3 = packed[word + 3]!;
    const w4 = packed[word + 4]!;
    const w5 = packed[word + 5]!;
    const w6 = packed[word + 6]!;
    const w7 = packed[word + 7]!;
    const w8 = packed[word + 8]!;
    const w9 = packed[word + 9]!;
    const w10 = packed[word + 10]!;
    const w11 = packed[word + 11]!;
    const w12 = packed[word + 12]!;
    const w13 = packed[word + 13]!;
    const w14 = packed[word + 14]!;
    const o = 2 * (first + g);
    let lo: number;
    let hi: number;
    lo = w0;
    hi = w1 & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 0;
    out[o + 0] = lo;
    out[o + 1] = hi;
    lo = ((w1 >>> 28) | (w2 << 4)) >>> 0;
    hi = ((w2 >>> 28) | (w3 << 4)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 1;
    out[o + 2] = lo;
    out[o + 3] = hi;
    lo = ((w3 >>> 24) | (w4 << 8)) >>> 0;
    hi = ((w4 >>> 24) | (w5 << 8)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 2;
    out[o + 4] = lo;
    out[o + 5] = hi;
    lo = ((w5 >>> 20) | (w6 << 12)) >>> 0;
    hi = ((w6 >>> 20) | (w7 << 12)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 3;
    out[o + 6] = lo;
    out[o + 7] = hi;
    lo = ((w7 >>> 16) | (w8 << 16)) >>> 0;
    hi = ((w8 >>> 16) | (w9 << 16)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 4;
    out[o + 8] = lo;
    out[o + 9] = hi;
    lo = ((w9 >>> 12) | (w10 << 20)) >>> 0;
    hi = ((w10 >>> 12) | (w11 << 20)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 5;
    out[o + 10] = lo;
    out[o + 11] = hi;
    lo = ((w11 >>> 8) | (w12 << 24)) >>> 0;
    hi = ((w12 >>> 8) | (w13 << 24)) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 6;
    out[o + 12] = lo;
    out[o + 13] = hi;
    lo = ((w13 >>> 4) | (w14 << 28)) >>> 0;
    hi = (w14 >>> 4) & M;
    if (hi > qHi || (hi === qHi && lo >= qLo)) return g + 7;
    out[o + 14] = lo;
    out[o + 15] = hi;
  }
  return -1;
}

/** Writes the low `count` (≤ 32) bits of `value` at bit `pos`; returns the next position. */
function writeBits(out: Uint32Array, pos: number, value: number, count: number): number {
  const word = pos >>> 5;
  const offset = pos & 31;
  out[word] = (out[word]! | (value << offset)) >>> 0;
  if (offset + count > 32) out[word + 1] = (out[word + 1]! | (value >>> (32 - offset))) >>> 0;
  return pos + count;
}

