import { AppError, ErrorCode } from '@consilium/errors';
import { firstUnreducedCoefficient } from './rns.ts';
import type { RnsLevel } from './rns.ts';
import { allocateAligned, u64Words, writableU64Words } from './words.ts';

/**
 * The package's own compact format for the shares SEAL has no type for: public-key shares,
 * decryption shares, Shamir shares dealt to a committee member, and a member's threshold key share.
 * Little-endian, 80-byte header so the coefficients start 8-byte aligned:
 *
 *   0  "CSAG" magic            4  u8 format version (1)   5  u8 kind (see ShareKind)
 *   6  u16 point: the committee point (1..65535) a dealt or threshold key share belongs to; 0 for
 *      the other kinds, which belong to no point
 *   8  u32 N                   12 u32 prime count
 *   16 parms_id (4×u64) of the level the coefficients live at
 *   48 binding (32 B): what the share was computed for (a digest of the CRP seed; of the aggregate and
 *      the decryptor set; the key ceremony's name), so a share for another seed, chunk, decryptor set
 *      or ceremony is refused rather than silently combined into garbage
 *   80 u64 coefficients, prime × N, NTT form, each below its prime
 */

/** The kinds of share this format carries. */
export const ShareKind = {
  publicKey: 1,
  decryption: 2,
  /** f_i(j): dealer i's Shamir share of its secret for committee point j (key level). */
  dealt: 3,
  /** S_j = Σ_i f_i(j): committee point j's share of the joint secret (key level). Never leaves the member. */
  thresholdKey: 4,
} as const;
export type ShareKind = (typeof ShareKind)[keyof typeof ShareKind];

const KIND_NAMES: Record<ShareKind, string> = {
  [ShareKind.publicKey]: 'public key share',
  [ShareKind.decryption]: 'decryption share',
  [ShareKind.dealt]: 'dealt key share',
  [ShareKind.thresholdKey]: 'threshold key share',
};

/** Kinds that belong to a committee point (the header's point field is 1..MAX_POINT, else 0). */
const POINTED_KINDS: ReadonlySet<ShareKind> = new Set([ShareKind.dealt, ShareKind.thresholdKey]);

/** The largest committee point the header can carry. */
export const MAX_POINT = 0xffff;

/** ASCII "CSAG". */
export const SHARE_MAGIC = Uint8Array.of(0x43, 0x53, 0x41, 0x47);
/** The format version this module reads and writes. */
export const SHARE_FORMAT_VERSION = 1;
/** Bytes before the coefficients. */
export const SHARE_HEADER_BYTES = 80;
/** Bytes of the binding digest. */
export const SHARE_BINDING_BYTES = 32;

const OFFSETS = { version: 4, kind: 5, point: 6, n: 8, primeCount: 12, parmsId: 16, binding: 48 } as const;

/** A parsed share. */
export interface ParsedShare {
  /** The committee point of a dealt or threshold key share; 0 for the other kinds. */
  readonly point: number;
  readonly binding: Uint8Array;
  /** Coefficient words (see words.ts); a view of the input when aligned: read only. */
  readonly coefficients: Uint32Array;
}

/** Exact size of a share at `level`. */
export function shareByteLength(level: RnsLevel): number {
  return SHARE_HEADER_BYTES + 8 * level.primes.length * level.polyModulusDegree;
}

/**
 * Serializes a share of `kind` at `level`; the result's coefficient region is 8-byte aligned.
 * `point` is required for dealt and threshold key shares and must be 0 (the default) otherwise.
 */
export function buildShare(kind: ShareKind, level: RnsLevel, binding: Uint8Array, coefficients: Uint32Array, point = 0): Uint8Array {
  const count = level.primes.length * level.polyModulusDegree;
  if (binding.length !== SHARE_BINDING_BYTES || coefficients.length !== 2 * count) {
    throw new AppError(ErrorCode.INTERNAL, `share builder got a ${binding.length}-byte binding and ${coefficients.length / 2} coefficients`);
  }
  if (!pointFits(kind, point)) throw new AppError(ErrorCode.INTERNAL, `share builder got point ${point} for a ${KIND_NAMES[kind]}`);
  const bytes = allocateAligned(shareByteLength(level), SHARE_HEADER_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bytes.set(SHARE_MAGIC, 0);
  view.setUint8(OFFSETS.version, SHARE_FORMAT_VERSION);
  view.setUint8(OFFSETS.kind, kind);
  view.setUint16(OFFSETS.point, point, true);
  view.setUint32(OFFSETS.n, level.polyModulusDegree, true);
  view.setUint32(OFFSETS.primeCount, level.primes.length, true);
  level.parmsId.forEach((word, i) => view.setBigUint64(OFFSETS.parmsId + 8 * i, word, true));
  bytes.set(binding, OFFSETS.binding);
  writableU64Words(bytes, SHARE_HEADER_BYTES, count).set(coefficients);
  return bytes;
}

/** Parses and checks a share of `kind` at `level`; throws INVALID_CIPHERTEXT naming the first bad field. */
export function parseShare(bytes: Uint8Array, kind: ShareKind, level: RnsLevel): ParsedShare {
  const what = KIND_NAMES[kind];
  if (!(bytes instanceof Uint8Array)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${what}: expected a Uint8Array, got ${typeof bytes}`, { details: { object: what } });
  }
  const reject = (field: string, problem: string, details: Record<string, unknown> = {}): AppError =>
    new AppError(ErrorCode.INVALID_CIPHERTEXT, `${what}: ${field} ${problem}`, { details: { object: what, field, ...details } });
  if (bytes.length < SHARE_HEADER_BYTES) {
    throw reject('header', `is truncated: ${bytes.length} bytes received, the header alone is ${SHARE_HEADER_BYTES}`, { actual: bytes.length });
  }
  if (SHARE_MAGIC.some((byte, i) => bytes[i] !== byte)) throw reject('magic', 'is not "CSAG" (not a Consilium secagg share)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expectField = (field: string, actual: number, expected: number, hint = ''): void => {
    if (actual !== expected) throw reject(field, `is ${actual}, expected ${expected}${hint}`, { actual, expected });
  };
  expectField('version', view.getUint8(OFFSETS.version), SHARE_FORMAT_VERSION);
  const actualKind = view.getUint8(OFFSETS.kind);
  expectField('kind', actualKind, kind, ` (${what}; got ${KIND_NAMES[actualKind as ShareKind] ?? 'an unknown kind'})`);
  const point = view.getUint16(OFFSETS.point, true);
  if (!pointFits(kind, point)) {
    throw reject('point', POINTED_KINDS.has(kind) ? 'is 0, expected a committee point from 1' : `is ${point}, expected 0`, { actual: point });
  }
  expectField('poly_modulus_degree', view.getUint32(OFFSETS.n, true), level.polyModulusDegree);
  expectField('prime_count', view.getUint32(OFFSETS.primeCount, true), level.primes.length);
  if (level.parmsId.some((word, i) => view.getBigUint64(OFFSETS.parmsId + 8 * i, true) !== word)) {
    throw reject('parms_id', "does not match this study's parameters at the expected level");
  }
  const expectedLength = shareByteLength(level);
  if (bytes.length !== expectedLength) {
    throw reject('length', `is ${bytes.length} bytes, expected exactly ${expectedLength} (truncated or padded)`, {
      actual: bytes.length,
      expected: expectedLength,
    });
  }
  const count = level.primes.length * level.polyModulusDegree;
  const coefficients = u64Words(bytes, SHARE_HEADER_BYTES, count);
  const bad = firstUnreducedCoefficient(coefficients, level.primes, level.polyModulusDegree);
  if (bad >= 0) throw reject('data', `coefficient ${bad} is not below its prime`, { index: bad });
  return { point, binding: bytes.subarray(OFFSETS.binding, OFFSETS.binding + SHARE_BINDING_BYTES), coefficients };
}

function pointFits(kind: ShareKind, point: number): boolean {
  if (!POINTED_KINDS.has(kind)) return point === 0;
  return Number.isInteger(point) && point >= 1 && point <= MAX_POINT;
}

/** True when two shares carry the same header (kind, point, level and binding): they may be added. */
export function sameShareHeader(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length < SHARE_HEADER_BYTES || b.length < SHARE_HEADER_BYTES) return false;
  for (let i = 0; i < SHARE_HEADER_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}
