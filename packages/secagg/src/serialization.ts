import { AppError, ErrorCode } from '@consilium/errors';
import type { ErrorDetails } from '@consilium/errors';
import { firstUnreducedCoefficient } from './rns.ts';
import type { RnsLevel } from './rns.ts';
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

/**
 * Strict parser and builder of SEAL's uncompressed serialization (SEAL 4.1 inside node-seal 7.0.0)
 * for ciphertexts, plaintexts, public keys and secret keys.
 *
 * It is the first line of defence against untrusted bytes: every field is checked against what the
 * study's parameters imply, each failure names the field, and no byte reaches SEAL before the parse
 * passes. The layout (all little-endian):
 *
 *   SEAL header (16 B): u16 magic 0xA15E, u8 header size 16, u8 version major 4, u8 minor 1,
 *                       u8 compression mode, u16 reserved 0, u64 total size in bytes
 *   Ciphertext:  header, parms_id (4×u64), u8 is_ntt_form, u64 size (polynomials),
 *                u64 poly_modulus_degree, u64 coeff_modulus_size, f64 scale, u64 correction_factor,
 *                coefficient array
 *   Plaintext:   header, parms_id (4×u64), u64 coeff_count, f64 scale, coefficient array
 *   Coefficient array: its own SEAL header, u64 element count, then u64 coefficients laid out
 *                polynomial × prime × N.
 *   PublicKey = a Ciphertext at the key level (scale 1); SecretKey = a Plaintext at the key level
 *   (scale 1). CKKS keeps all of them in NTT form.
 */

/** Bytes of SEAL's serialization header. */
export const SEAL_HEADER_BYTES = 16;
/** SEAL's magic number (the first two bytes, little-endian). */
export const SEAL_MAGIC = 0xa15e;
/** The SEAL version whose layout this module implements. */
export const SEAL_VERSION = { major: 4, minor: 1 } as const;

const COMPRESSION_NONE = 0;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'zlib', 2: 'zstd' };

/** Byte offsets of a serialized Ciphertext or PublicKey. */
export const CIPHERTEXT_LAYOUT = {
  parmsId: 16,
  nttForm: 48,
  size: 49,
  polyModulusDegree: 57,
  coeffModulusSize: 65,
  scale: 73,
  correctionFactor: 81,
  arrayHeader: 89,
  elementCount: 105,
  data: 113,
} as const;

/** Byte offsets of a serialized Plaintext or SecretKey. */
export const PLAINTEXT_LAYOUT = {
  parmsId: 16,
  coeffCount: 48,
  scale: 56,
  arrayHeader: 64,
  elementCount: 80,
  data: 88,
} as const;

/** Polynomials in every ciphertext and public key this package handles (fresh or added, never multiplied). */
export const CIPHERTEXT_POLYS = 2;

/** What a serialized ciphertext (or public key) must be to be accepted. */
export interface CiphertextExpectation {
  /** Names the object in error messages, e.g. "ciphertext" or "public key". */
  readonly what: string;
  readonly level: RnsLevel;
  readonly nttForm: boolean;
  /** The scale must be exactly 2^scaleBits; 'any' accepts any power of two below the level's modulus. */
  readonly scaleBits: number | 'any';
}

/** What a serialized plaintext (or secret key) must be to be accepted. */
export interface PlaintextExpectation {
  readonly what: string;
  readonly level: RnsLevel;
  readonly scaleBits: number | 'any';
}

/** The parts of an accepted object that callers use. */
export interface ParsedSealObject {
  readonly scale: number;
  /** The coefficients as u64 word pairs (see words.ts); a view of the input when aligned: read only. */
  readonly coefficients: Uint32Array;
}

/** Exact serialized size of a size-2 ciphertext at `level`. */
export function ciphertextByteLength(level: RnsLevel): number {
  return CIPHERTEXT_LAYOUT.data + 8 * CIPHERTEXT_POLYS * level.primes.length * level.polyModulusDegree;
}

/** Exact serialized size of an NTT-form plaintext at `level`. */
export function plaintextByteLength(level: RnsLevel): number {
  return PLAINTEXT_LAYOUT.data + 8 * level.primes.length * level.polyModulusDegree;
}

/** Parses and checks a serialized size-2 Ciphertext; throws INVALID_CIPHERTEXT naming the first bad field. */
export function parseCiphertext(bytes: Uint8Array, expected: CiphertextExpectation): ParsedSealObject {
  const { what, level } = expected;
  const at = CIPHERTEXT_LAYOUT;
  const view = openSealObject(bytes, what, at.data);
  checkParmsId(view, at.parmsId, level, what);
  const nttForm = view.getUint8(at.nttForm);
  const expectedNtt = expected.nttForm ? 1 : 0;
  if (nttForm !== expectedNtt) {
    throw reject(what, 'is_ntt_form', `is ${nttForm}, expected ${expectedNtt} (${expected.nttForm ? 'NTT' : 'coefficient'} form)`, {
      actual: nttForm,
    });
  }
  checkU64(view, at.size, 'size', CIPHERTEXT_POLYS, what, 'polynomials (a fresh or summed ciphertext has 2)');
  checkU64(view, at.polyModulusDegree, 'poly_modulus_degree', level.polyModulusDegree, what);
  checkU64(view, at.coeffModulusSize, 'coeff_modulus_size', level.primes.length, what, 'primes');
  const scale = checkScale(view, at.scale, expected.scaleBits, level, what);
  checkU64(view, at.correctionFactor, 'correction_factor', 1, what);
  const count = CIPHERTEXT_POLYS * level.primes.length * level.polyModulusDegree;
  const coefficients = readCoefficientArray(bytes, view, at.arrayHeader, count, level, what);
  return { scale, coefficients };
}

/** Parses and checks a serialized NTT-form Plaintext; throws INVALID_CIPHERTEXT naming the first bad field. */
export function parsePlaintext(bytes: Uint8Array, expected: PlaintextExpectation): ParsedSealObject {
  const { what, level } = expected;
  const at = PLAINTEXT_LAYOUT;
  const view = openSealObject(bytes, what, at.data);
  checkParmsId(view, at.parmsId, level, what);
  const count = level.primes.length * level.polyModulusDegree;
  checkU64(view, at.coeffCount, 'coeff_count', count, what, '(N × primes)');
  const scale = checkScale(view, at.scale, expected.scaleBits, level, what);
  const coefficients = readCoefficientArray(bytes, view, at.arrayHeader, count, level, what);
  return { scale, coefficients };
}

/** Parses a serialized PublicKey: a key-level, NTT-form, size-2 ciphertext with scale 1. */
export function parsePublicKey(bytes: Uint8Array, keyLevel: RnsLevel, what = 'public key'): ParsedSealObject {
  return parseCiphertext(bytes, { what, level: keyLevel, nttForm: true, scaleBits: 0 });
}

/** Parses a serialized SecretKey: a key-level NTT-form plaintext with scale 1. */
export function parseSecretKey(bytes: Uint8Array, keyLevel: RnsLevel, what = 'secret key'): ParsedSealObject {
  return parsePlaintext(bytes, { what, level: keyLevel, scaleBits: 0 });
}

/**
 * Serializes a size-2 ciphertext at `level` from its coefficient words (polynomial × prime × N).
 * The result's coefficient region is 8-byte aligned in its buffer.
 */
export function buildCiphertext(level: RnsLevel, fields: { nttForm: boolean; scale: number }, coefficients: Uint32Array): Uint8Array {
  const at = CIPHERTEXT_LAYOUT;
  const count = CIPHERTEXT_POLYS * level.primes.length * level.polyModulusDegree;
  const bytes = startSealObject(ciphertextByteLength(level), at.data, count, coefficients);
  const view = dataView(bytes);
  writeParmsId(view, at.parmsId, level);
  view.setUint8(at.nttForm, fields.nttForm ? 1 : 0);
  view.setBigUint64(at.size, BigInt(CIPHERTEXT_POLYS), true);
  view.setBigUint64(at.polyModulusDegree, BigInt(level.polyModulusDegree), true);
  view.setBigUint64(at.coeffModulusSize, BigInt(level.primes.length), true);
  view.setFloat64(at.scale, fields.scale, true);
  view.setBigUint64(at.correctionFactor, 1n, true);
  writeCoefficientArrayHeader(view, at.arrayHeader, count);
  return bytes;
}

/** Serializes an NTT-form plaintext at `level` (a secret key is one at the key level with scale 1). */
export function buildPlaintext(level: RnsLevel, scale: number, coefficients: Uint32Array): Uint8Array {
  const at = PLAINTEXT_LAYOUT;
  const count = level.primes.length * level.polyModulusDegree;
  const bytes = startSealObject(plaintextByteLength(level), at.data, count, coefficients);
  const view = dataView(bytes);
  writeParmsId(view, at.parmsId, level);
  view.setBigUint64(at.coeffCount, BigInt(count), true);
  view.setFloat64(at.scale, scale, true);
  writeCoefficientArrayHeader(view, at.arrayHeader, count);
  return bytes;
}

/** Serializes a PublicKey (b, a) at the key level. */
export function buildPublicKey(keyLevel: RnsLevel, coefficients: Uint32Array): Uint8Array {
  return buildCiphertext(keyLevel, { nttForm: true, scale: 1 }, coefficients);
}

function reject(what: string, field: string, problem: string, details: ErrorDetails = {}): AppError {
  return new AppError(ErrorCode.INVALID_CIPHERTEXT, `${what}: ${field} ${problem}`, { details: { object: what, field, ...details } });
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks the input type, the outer header and that the fixed metadata is present. */
function openSealObject(bytes: Uint8Array, what: string, metadataBytes: number): DataView {
  if (!(bytes instanceof Uint8Array)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${what}: expected a Uint8Array, got ${typeof bytes}`, { details: { object: what } });
  }
  if (bytes.length < SEAL_HEADER_BYTES) {
    throw reject(what, 'header', `is truncated: ${bytes.length} bytes received, the SEAL header alone is ${SEAL_HEADER_BYTES}`, {
      actual: bytes.length,
    });
  }
  const view = dataView(bytes);
  checkSealHeader(view, 0, bytes.length, what, 'header');
  if (bytes.length < metadataBytes) {
    throw reject(what, 'metadata', `is truncated: ${bytes.length} bytes received, the fields alone take ${metadataBytes}`, {
      actual: bytes.length,
      expected: metadataBytes,
    });
  }
  return view;
}

function checkSealHeader(view: DataView, at: number, declaredSize: number, what: string, field: string): void {
  const magic = view.getUint16(at, true);
  if (magic !== SEAL_MAGIC) {
    throw reject(what, `${field}.magic`, `is 0x${magic.toString(16)}, expected 0x${SEAL_MAGIC.toString(16)} (not SEAL data)`, { actual: magic });
  }
  const headerSize = view.getUint8(at + 2);
  if (headerSize !== SEAL_HEADER_BYTES) {
    throw reject(what, `${field}.header_size`, `is ${headerSize}, expected ${SEAL_HEADER_BYTES}`, { actual: headerSize });
  }
  const major = view.getUint8(at + 3);
  const minor = view.getUint8(at + 4);
  if (major !== SEAL_VERSION.major || minor !== SEAL_VERSION.minor) {
    throw reject(what, `${field}.version`, `is ${major}.${minor}, expected SEAL ${SEAL_VERSION.major}.${SEAL_VERSION.minor} (node-seal 7.0.0)`, {
      actual: `${major}.${minor}`,
    });
  }
  const compression = view.getUint8(at + 5);
  if (compression !== COMPRESSION_NONE) {
    const name = COMPRESSION_NAMES[compression] ?? `unknown mode ${compression}`;
    throw reject(what, `${field}.compr_mode`, `is ${name}; only uncompressed data (ComprModeType.none) is accepted`, { actual: compression });
  }
  const reserved = view.getUint16(at + 6, true);
  if (reserved !== 0) throw reject(what, `${field}.reserved`, `is ${reserved}, expected 0`, { actual: reserved });
  const size = readU64(view, at + 8);
  if (size !== declaredSize) {
    throw reject(what, `${field}.size`, `declares ${size} bytes but ${declaredSize} are present (truncated or padded data)`, {
      declared: size,
      actual: declaredSize,
    });
  }
}

/** A u64 field as a number; values beyond 2^53 become Infinity, which no check accepts. */
function readU64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.POSITIVE_INFINITY;
}

function checkU64(view: DataView, at: number, field: string, expected: number, what: string, unit = ''): void {
  const actual = readU64(view, at);
  if (actual !== expected) {
    throw reject(what, field, `is ${actual}, expected ${expected}${unit === '' ? '' : ` ${unit}`}`, { actual, expected });
  }
}

function parmsIdHex(words: readonly bigint[]): string {
  return words.map((w) => w.toString(16).padStart(16, '0')).join('');
}

function checkParmsId(view: DataView, at: number, level: RnsLevel, what: string): void {
  const actual = [0, 1, 2, 3].map((i) => view.getBigUint64(at + 8 * i, true));
  if (actual.some((word, i) => word !== level.parmsId[i])) {
    throw reject(what, 'parms_id', "does not match this study's parameters at the expected level (other parameters, another study, or another level)", {
      actual: parmsIdHex(actual),
      expected: parmsIdHex(level.parmsId),
    });
  }
}

function checkScale(view: DataView, at: number, scaleBits: number | 'any', level: RnsLevel, what: string): number {
  const scale = view.getFloat64(at, true);
  if (scaleBits === 'any') {
    const bits = Math.log2(scale);
    const modulusBits = level.primes.reduce((sum, p) => sum + p.bits, 0);
    if (!Number.isInteger(bits) || bits < 0 || bits >= modulusBits) {
      throw reject(what, 'scale', `is ${scale}, expected a power of two 2^k with 0 ≤ k < ${modulusBits}`, { actual: scale });
    }
    return scale;
  }
  if (scale !== 2 ** scaleBits) {
    throw reject(what, 'scale', `is ${scale} (2^${Math.log2(scale)}), expected exactly 2^${scaleBits}`, { actual: scale, expected: 2 ** scaleBits });
  }
  return scale;
}

function readCoefficientArray(bytes: Uint8Array, view: DataView, at: number, count: number, level: RnsLevel, what: string): Uint32Array {
  checkSealHeader(view, at, bytes.length - at, what, 'data.header');
  checkU64(view, at + SEAL_HEADER_BYTES, 'data.count', count, what, 'coefficients');
  const dataStart = at + SEAL_HEADER_BYTES + 8;
  // The headers agree with each other; this pins the total to what the parameters imply.
  if (bytes.length !== dataStart + 8 * count) {
    throw reject(what, 'length', `is ${bytes.length} bytes, expected ${dataStart + 8 * count}`, {
      actual: bytes.length,
      expected: dataStart + 8 * count,
    });
  }
  const coefficients = u64Words(bytes, dataStart, count);
  const bad = firstUnreducedCoefficient(coefficients, level.primes, level.polyModulusDegree);
  if (bad >= 0) {
    const block = Math.floor(bad / level.polyModulusDegree);
    const prime = level.primes[block % level.primes.length]!;
    throw reject(what, 'data', `coefficient ${bad} is not below its prime ${prime.value}`, {
      index: bad,
      polynomial: Math.floor(block / level.primes.length),
      prime: prime.value.toString(),
    });
  }
  return coefficients;
}

function startSealObject(byteLength: number, dataOffset: number, count: number, coefficients: Uint32Array): Uint8Array {
  if (coefficients.length !== 2 * count) {
    throw new AppError(ErrorCode.INTERNAL, `serializer got ${coefficients.length / 2} coefficients, expected ${count}`);
  }
  const bytes = allocateAligned(byteLength, dataOffset);
  writableU64Words(bytes, dataOffset, count).set(coefficients);
  writeSealHeader(dataView(bytes), 0, byteLength);
  return bytes;
}

function writeSealHeader(view: DataView, at: number, size: number): void {
  view.setUint16(at, SEAL_MAGIC, true);
  view.setUint8(at + 2, SEAL_HEADER_BYTES);
  view.setUint8(at + 3, SEAL_VERSION.major);
  view.setUint8(at + 4, SEAL_VERSION.minor);
  view.setUint8(at + 5, COMPRESSION_NONE);
  view.setUint16(at + 6, 0, true);
  view.setBigUint64(at + 8, BigInt(size), true);
}

function writeParmsId(view: DataView, at: number, level: RnsLevel): void {
  level.parmsId.forEach((word, i) => view.setBigUint64(at + 8 * i, word, true));
}

function writeCoefficientArrayHeader(view: DataView, at: number, count: number): void {
  writeSealHeader(view, at, SEAL_HEADER_BYTES + 8 + 8 * count);
  view.setBigUint64(at + SEAL_HEADER_BYTES, BigInt(count), true);
}
