/**
 * Fuzzing of every parser and validator that the hub or an agent applies to bytes it received, with
 * fast-check generators: random bytes, valid objects with one field or coefficient mutated, random
 * edits, truncated and extended objects (with and without their size fields made consistent),
 * objects of other kinds and of other parameters, and fresh valid objects.
 *
 * Each input carries what it should produce, so the fuzzer checks more than "no crash": a valid
 * input must be accepted, a mutated field must be rejected by name, and every rejection must be an
 * AppError with an expected code whose message names the object. The unit tests
 * (src/untrusted-bytes.test.ts) run a few thousand inputs; the campaign below runs as many as asked:
 *
 *   npm run fuzz -w @consilium/secagg -- --runs 200000 [--seed N] [--target id ...] [--no-buffers]
 *   npm run fuzz -w @consilium/secagg -- --seed N --target id --path K     (replays one input)
 *
 * It prints, per target, the inputs tried, how many were accepted, the rejections by code and by
 * field, the findings grouped by cause with a replay command for the first of each, the slowest
 * input and SEAL's heap before and after; it exits 1 on any finding or heap growth.
 *
 * Everything the inputs are built from is derived from the seed (keys and ciphertexts are built
 * from seeded coefficients, not drawn by SEAL), so a seed and a run index reproduce a finding.
 */
import { createHash, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { validateCiphertext } from '../src/aggregation.ts';
import { createCkksContext, rnsLevels } from '../src/context.ts';
import type { CkksContext } from '../src/context.ts';
import { crpSeedBinding, expandCrp } from '../src/crp.ts';
import { decryptionBinding } from '../src/decryption-binding.ts';
import { validateDecryptionShare } from '../src/decryption.ts';
import { validatePublicKey, validatePublicKeyShare } from '../src/key-ceremony.ts';
import type { CkksParameters } from '../src/parameters.ts';
import { createPartialDecryptor } from '../src/partial-decryptor.ts';
import type { Prime, RnsLevel } from '../src/rns.ts';
import { sealHeapBytes } from '../src/seal-module.ts';
import { buildCiphertext, buildPlaintext, buildPublicKey, CIPHERTEXT_LAYOUT, parseSecretKey, PLAINTEXT_LAYOUT } from '../src/serialization.ts';
import { buildShare, SHARE_HEADER_BYTES, ShareKind } from '../src/share-format.ts';
import { parseKeyShare, validateDealtShare } from '../src/threshold-keys.ts';
import { expandCiphertext, packCiphertext } from '../src/wire-format.ts';

/** The study defaults, the parameters every target checks against. */
export const FUZZ_PARAMS: CkksParameters = { polyModulusDegree: 4096, coeffModulusBits: [60, 49], smudgingSigmaBits: 20 };
/** The scale the hub expects of uploaded ciphertexts. */
export const FUZZ_SCALE_BITS = 40;

/**
 * Parameters whose objects must be told apart from the study's. [60, 40] shares the study's data
 * prime, so its data-level objects carry the same parms_id and are (rightly) indistinguishable.
 */
const FOREIGN_PARAMS: readonly { readonly label: string; readonly params: CkksParameters }[] = [
  { label: 'N=8192', params: { polyModulusDegree: 8192, coeffModulusBits: [60, 49], smudgingSigmaBits: 20 } },
  { label: 'primes [59, 49]', params: { polyModulusDegree: 4096, coeffModulusBits: [59, 49], smudgingSigmaBits: 20 } },
  { label: 'primes [40, 30, 38]', params: { polyModulusDegree: 4096, coeffModulusBits: [40, 30, 38], smudgingSigmaBits: 20 } },
  { label: 'primes [60, 40]', params: { polyModulusDegree: 4096, coeffModulusBits: [60, 40], smudgingSigmaBits: 20 } },
];

// ---------------------------------------------------------------------------------------------
// Formats: the fields a mutation can hit, and what a reader must say about each.

type Format = 'seal-ciphertext' | 'seal-plaintext' | 'share' | 'wire';
type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'f64' | 'bytes';

/** A field of a serialized object; `name` is how the parser names it in its errors. */
interface Field {
  readonly name: string;
  readonly offset: number;
  readonly type: FieldType;
  readonly width: number;
}

function sealHeaderFields(at: number, prefix: string): Field[] {
  return [
    { name: `${prefix}.magic`, offset: at, type: 'u16', width: 2 },
    { name: `${prefix}.header_size`, offset: at + 2, type: 'u8', width: 1 },
    { name: `${prefix}.version`, offset: at + 3, type: 'u8', width: 1 },
    { name: `${prefix}.version`, offset: at + 4, type: 'u8', width: 1 },
    { name: `${prefix}.compr_mode`, offset: at + 5, type: 'u8', width: 1 },
    { name: `${prefix}.reserved`, offset: at + 6, type: 'u16', width: 2 },
    { name: `${prefix}.size`, offset: at + 8, type: 'u64', width: 8 },
  ];
}

const C = CIPHERTEXT_LAYOUT;
const P = PLAINTEXT_LAYOUT;

const FIELDS: Record<Format, readonly Field[]> = {
  'seal-ciphertext': [
    ...sealHeaderFields(0, 'header'),
    { name: 'parms_id', offset: C.parmsId, type: 'bytes', width: 32 },
    { name: 'is_ntt_form', offset: C.nttForm, type: 'u8', width: 1 },
    { name: 'size', offset: C.size, type: 'u64', width: 8 },
    { name: 'poly_modulus_degree', offset: C.polyModulusDegree, type: 'u64', width: 8 },
    { name: 'coeff_modulus_size', offset: C.coeffModulusSize, type: 'u64', width: 8 },
    { name: 'scale', offset: C.scale, type: 'f64', width: 8 },
    { name: 'correction_factor', offset: C.correctionFactor, type: 'u64', width: 8 },
    ...sealHeaderFields(C.arrayHeader, 'data.header'),
    { name: 'data.count', offset: C.elementCount, type: 'u64', width: 8 },
  ],
  'seal-plaintext': [
    ...sealHeaderFields(0, 'header'),
    { name: 'parms_id', offset: P.parmsId, type: 'bytes', width: 32 },
    { name: 'coeff_count', offset: P.coeffCount, type: 'u64', width: 8 },
    { name: 'scale', offset: P.scale, type: 'f64', width: 8 },
    ...sealHeaderFields(P.arrayHeader, 'data.header'),
    { name: 'data.count', offset: P.elementCount, type: 'u64', width: 8 },
  ],
  share: [
    { name: 'magic', offset: 0, type: 'bytes', width: 4 },
    { name: 'version', offset: 4, type: 'u8', width: 1 },
    { name: 'kind', offset: 5, type: 'u8', width: 1 },
    { name: 'point', offset: 6, type: 'u16', width: 2 },
    { name: 'poly_modulus_degree', offset: 8, type: 'u32', width: 4 },
    { name: 'prime_count', offset: 12, type: 'u32', width: 4 },
    { name: 'parms_id', offset: 16, type: 'bytes', width: 32 },
    { name: 'binding', offset: 48, type: 'bytes', width: 32 },
  ],
  // The upload format (wire-format.ts): its reader names no fields, so expectations use WIRE_ERRORS.
  wire: [
    { name: 'magic', offset: 0, type: 'bytes', width: 4 },
    { name: 'scale', offset: 4, type: 'u8', width: 1 },
    { name: 'reserved', offset: 5, type: 'bytes', width: 3 },
  ],
};

/** What the wire-format reader says about each of its fields, and about a wrong length. */
const WIRE_ERRORS: Record<string, RegExp> = {
  magic: /^ciphertext: not in the wire format/,
  reserved: /^ciphertext: not in the wire format/,
  scale: /^ciphertext: scale 2\^\d+, expected exactly 2\^\d+$/,
  length: /^ciphertext: expected \d+ bytes in the wire format/,
};

const DATA_OFFSET: Record<Format, number> = { 'seal-ciphertext': C.data, 'seal-plaintext': P.data, share: SHARE_HEADER_BYTES, wire: 8 };
const POLYS: Record<Format, number> = { 'seal-ciphertext': 2, 'seal-plaintext': 1, share: 1, wire: 2 };

/** Fields a rejection of a truncated or extended object may name (whichever check notices first). */
const SIZE_FIELDS = /^(header|header\.size|metadata|data\.header\.\w+|data\.count|length)$/;

// ---------------------------------------------------------------------------------------------
// Targets and specimens.

/** What an input should produce. `either`: accepted, or rejected (naming `field` when given). */
export type Expectation =
  | { readonly verdict: 'accept' }
  | { readonly verdict: 'reject' | 'either'; readonly field?: string | RegExp; readonly index?: number; readonly message?: RegExp };

/** One generated input. */
export interface FuzzInput {
  /** Which generator made it (statistics and replay output). */
  readonly generator: string;
  readonly bytes: Uint8Array;
  readonly expect: Expectation;
  /** How the bytes were handed over, when not as a plain Uint8Array at offset 0. */
  readonly placement?: string;
}

/**
 * What an object is: enough to predict whether a reader of another kind must refuse it. In a
 * target's identity, an undefined scale means any power of two in range, and an undefined binding
 * or point means the reader does not check it.
 */
interface Identity {
  readonly format: Format;
  readonly parmsId: readonly bigint[];
  readonly kind?: ShareKind;
  readonly nttForm?: boolean;
  readonly scale?: number;
  readonly binding?: string;
  readonly point?: number;
}

/** A valid object of some kind and parameters, fed to readers of every kind. */
export interface Specimen extends Identity {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The targets, hub side first; createFuzzWorld makes one of each. */
export const FUZZ_TARGET_IDS = ['wire-ciphertext', 'ciphertext', 'public-key-share', 'decryption-share', 'public-key', 'dealt-share', 'aggregate', 'secret-key', 'key-share'] as const;

/** A parser or validator that hub or agent applies to received (or stored) bytes. */
export interface FuzzTarget {
  /** Short id for --target. */
  readonly id: (typeof FUZZ_TARGET_IDS)[number];
  readonly description: string;
  /** The object its errors name. */
  readonly what: string;
  /** Every error code a rejection may carry. */
  readonly codes: readonly ErrorCode[];
  readonly level: RnsLevel;
  readonly identity: Identity;
  /** The canonical valid input. */
  readonly valid: Uint8Array;
  /** Another valid input, built from a 32-byte seed. */
  fresh(seed: Uint8Array): Uint8Array;
  /** Throws to reject. */
  run(bytes: Uint8Array): void;
}

/** Everything the fuzzers need: the study's context, the targets and the foreign specimens. */
export interface FuzzWorld {
  readonly ctx: CkksContext;
  readonly seed: number;
  readonly targets: readonly FuzzTarget[];
  readonly specimens: readonly Specimen[];
  dispose(): void;
}

function derive(seed: number | Uint8Array, label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`consilium/secagg/fuzz/${label}/`).update(typeof seed === 'number' ? String(seed) : seed).digest());
}

/** `polys` polynomials of uniform coefficients reduced mod each prime of `level`, derived from `seed`. */
export function seededCoefficients(level: RnsLevel, polys: number, seed: Uint8Array): Uint32Array {
  const polyWords = 2 * level.primes.length * level.polyModulusDegree;
  const out = new Uint32Array(polys * polyWords);
  for (let p = 0; p < polys; p++) out.set(expandCrp(level, derive(seed, `poly ${p}`)), p * polyWords);
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The committee of the fuzzed study: the agent is the member at point 1, decrypting with point 2. */
const SELF = 1;
const DECRYPTORS = [1, 2] as const;
/** Dealt shares the agent receives are dealt to its point. */
const RECIPIENT = SELF;

function share(name: string, kind: ShareKind, level: RnsLevel, binding: Uint8Array, seed: Uint8Array, point = 0): Specimen {
  return {
    name,
    format: 'share',
    kind,
    parmsId: level.parmsId,
    binding: hex(binding),
    point,
    bytes: buildShare(kind, level, binding, seededCoefficients(level, 1, seed), point),
  };
}

/** One valid object of each kind under `ctx`'s parameters, built from seeded coefficients. */
function specimensOf(label: string, ctx: CkksContext, seed: number, bindings: { decryption?: Uint8Array; ceremony?: Uint8Array } = {}): Specimen[] {
  const { data, key } = rnsLevels(ctx);
  const s = (name: string): Uint8Array => derive(seed, `${label} ${name}`);
  const scale = 2 ** FUZZ_SCALE_BITS;
  const ceremony = bindings.ceremony ?? s('ceremony');
  const ciphertext = buildCiphertext(data, { nttForm: true, scale }, seededCoefficients(data, 2, s('ciphertext')));
  return [
    { name: `ciphertext (${label})`, format: 'seal-ciphertext', parmsId: data.parmsId, nttForm: true, scale, bytes: ciphertext },
    { name: `wire ciphertext (${label})`, format: 'wire', parmsId: data.parmsId, scale, bytes: packCiphertext(ctx, ciphertext, FUZZ_SCALE_BITS) },
    {
      name: `public key (${label})`,
      format: 'seal-ciphertext',
      parmsId: key.parmsId,
      nttForm: true,
      scale: 1,
      bytes: buildPublicKey(key, seededCoefficients(key, 2, s('public key'))),
    },
    { name: `secret key (${label})`, format: 'seal-plaintext', parmsId: key.parmsId, scale: 1, bytes: buildPlaintext(key, 1, seededCoefficients(key, 1, s('secret key'))) },
    share(`public key share (${label})`, ShareKind.publicKey, key, crpSeedBinding(s('crp seed')), s('public key share')),
    share(`decryption share (${label})`, ShareKind.decryption, data, bindings.decryption ?? s('aggregate'), s('decryption share')),
    share(`dealt key share (${label})`, ShareKind.dealt, key, ceremony, s('dealt'), RECIPIENT),
    share(`threshold key share (${label})`, ShareKind.thresholdKey, key, ceremony, s('key share'), SELF),
  ];
}

/** Builds the study's context, the targets and the specimens, all derived from `seed`. */
export async function createFuzzWorld(seed: number): Promise<FuzzWorld> {
  const ctx = await createCkksContext(FUZZ_PARAMS);
  const owned: { dispose(): void }[] = [ctx];
  const disposeAll = (): void => {
    for (const item of owned.splice(0).reverse()) item.dispose();
  };
  try {
    const { data, key } = rnsLevels(ctx);
    const scale = 2 ** FUZZ_SCALE_BITS;
    const aggregate = buildCiphertext(data, { nttForm: true, scale }, seededCoefficients(data, 2, derive(seed, 'aggregate')));
    const decryption = decryptionBinding(aggregate, DECRYPTORS);
    const ceremony = derive(seed, 'ceremony');
    const study = specimensOf('study', ctx, seed, { decryption, ceremony });
    const byName = (name: string): Specimen => study.find((sp) => sp.name === `${name} (study)`)!;
    const specimens: Specimen[] = [
      ...study,
      {
        name: 'ciphertext at scale 2^30 (study)',
        format: 'seal-ciphertext',
        parmsId: data.parmsId,
        nttForm: true,
        scale: 2 ** 30,
        bytes: buildCiphertext(data, { nttForm: true, scale: 2 ** 30 }, seededCoefficients(data, 2, derive(seed, 'scale 30'))),
      },
      {
        name: 'wire ciphertext at scale 2^30 (study)',
        format: 'wire',
        parmsId: data.parmsId,
        scale: 2 ** 30,
        bytes: packCiphertext(ctx, buildCiphertext(data, { nttForm: true, scale: 2 ** 30 }, seededCoefficients(data, 2, derive(seed, 'wire 30'))), 30),
      },
      {
        name: 'coefficient-form ciphertext (study)',
        format: 'seal-ciphertext',
        parmsId: data.parmsId,
        nttForm: false,
        scale,
        bytes: buildCiphertext(data, { nttForm: false, scale }, seededCoefficients(data, 2, derive(seed, 'coefficient form'))),
      },
      {
        name: 'data-level plaintext (study)',
        format: 'seal-plaintext',
        parmsId: data.parmsId,
        scale,
        bytes: buildPlaintext(data, scale, seededCoefficients(data, 1, derive(seed, 'plaintext'))),
      },
      share('decryption share for decryptors [1, 3] (study)', ShareKind.decryption, data, decryptionBinding(aggregate, [1, 3]), derive(seed, 'other set')),
      share('dealt key share to point 2 (study)', ShareKind.dealt, key, ceremony, derive(seed, 'dealt 2'), 2),
      share('dealt key share of another ceremony (study)', ShareKind.dealt, key, derive(seed, 'other ceremony'), derive(seed, 'dealt other'), RECIPIENT),
      share('threshold key share of point 2 (study)', ShareKind.thresholdKey, key, ceremony, derive(seed, 'key share 2'), 2),
      ...[0, 5, 255].map((kind) => share(`share of unknown kind ${kind} (study)`, kind as ShareKind, data, decryption, derive(seed, `kind ${kind}`))),
    ];
    for (const { label, params } of FOREIGN_PARAMS) {
      const other = await createCkksContext(params);
      try {
        specimens.push(...specimensOf(label, other, seed));
      } finally {
        other.dispose();
      }
    }

    const keyShare = byName('threshold key share').bytes;
    const decryptor = createPartialDecryptor(ctx, keyShare, { self: SELF, decryptors: DECRYPTORS });
    owned.push(decryptor);
    const codes = [ErrorCode.INVALID_CIPHERTEXT] as const;
    const targets: FuzzTarget[] = [
      {
        id: 'wire-ciphertext',
        description: 'hub: expandCiphertext (a site upload in the compact wire format, scale 2^40)',
        what: 'ciphertext',
        codes,
        level: data,
        identity: { format: 'wire', parmsId: data.parmsId, scale },
        valid: byName('wire ciphertext').bytes,
        fresh: (s) => packCiphertext(ctx, buildCiphertext(data, { nttForm: true, scale }, seededCoefficients(data, 2, s)), FUZZ_SCALE_BITS),
        run: (bytes) => void expandCiphertext(ctx, bytes, { scaleBits: FUZZ_SCALE_BITS }),
      },
      {
        id: 'ciphertext',
        description: 'validateCiphertext (a SEAL-serialized ciphertext, scale 2^40)',
        what: 'ciphertext',
        codes,
        level: data,
        identity: { format: 'seal-ciphertext', parmsId: data.parmsId, nttForm: true, scale },
        valid: byName('ciphertext').bytes,
        fresh: (s) => buildCiphertext(data, { nttForm: true, scale }, seededCoefficients(data, 2, s)),
        run: (bytes) => validateCiphertext(ctx, bytes, { scaleBits: FUZZ_SCALE_BITS }),
      },
      {
        id: 'public-key-share',
        description: 'hub: validatePublicKeyShare (a member key-ceremony share)',
        what: 'public key share',
        codes,
        level: key,
        identity: { format: 'share', kind: ShareKind.publicKey, parmsId: key.parmsId, point: 0 },
        valid: byName('public key share').bytes,
        fresh: (s) => buildShare(ShareKind.publicKey, key, crpSeedBinding(derive(s, 'crp')), seededCoefficients(key, 1, s)),
        run: (bytes) => validatePublicKeyShare(ctx, bytes),
      },
      {
        id: 'decryption-share',
        description: `hub: validateDecryptionShare (a partial decryption of the aggregate by decryptors [${DECRYPTORS.join(', ')}])`,
        what: 'decryption share',
        codes,
        level: data,
        identity: { format: 'share', kind: ShareKind.decryption, parmsId: data.parmsId, binding: hex(decryption), point: 0 },
        valid: byName('decryption share').bytes,
        fresh: (s) => buildShare(ShareKind.decryption, data, decryption, seededCoefficients(data, 1, s)),
        run: (bytes) => validateDecryptionShare(ctx, bytes, { aggregate, decryptors: DECRYPTORS }),
      },
      {
        id: 'public-key',
        description: 'agent: validatePublicKey (the collective key the hub publishes)',
        what: 'public key',
        codes,
        level: key,
        identity: { format: 'seal-ciphertext', parmsId: key.parmsId, nttForm: true, scale: 1 },
        valid: byName('public key').bytes,
        fresh: (s) => buildPublicKey(key, seededCoefficients(key, 2, s)),
        run: (bytes) => validatePublicKey(ctx, bytes),
      },
      {
        id: 'dealt-share',
        description: `agent: validateDealtShare (a Shamir share another member dealt to point ${RECIPIENT})`,
        what: 'dealt key share',
        codes,
        level: key,
        identity: { format: 'share', kind: ShareKind.dealt, parmsId: key.parmsId, binding: hex(ceremony), point: RECIPIENT },
        valid: byName('dealt key share').bytes,
        fresh: (s) => buildShare(ShareKind.dealt, key, ceremony, seededCoefficients(key, 1, s), RECIPIENT),
        run: (bytes) => validateDealtShare(ctx, bytes, { binding: ceremony, point: RECIPIENT }),
      },
      {
        id: 'aggregate',
        description: 'agent: PartialDecryptor.decrypt (the aggregate the hub asks it to decrypt, any scale)',
        what: 'aggregate ciphertext',
        codes,
        level: data,
        identity: { format: 'seal-ciphertext', parmsId: data.parmsId, nttForm: true },
        valid: aggregate,
        fresh: (s) => buildCiphertext(data, { nttForm: true, scale: 2 ** (s[0]! % 60) }, seededCoefficients(data, 2, s)),
        run: (bytes) => void decryptor.decrypt(bytes),
      },
      {
        id: 'secret-key',
        description: 'agent: parseSecretKey (its stored secret share s_i, before dealing or a key share)',
        what: 'secret share',
        codes,
        level: key,
        identity: { format: 'seal-plaintext', parmsId: key.parmsId, scale: 1 },
        valid: byName('secret key').bytes,
        fresh: (s) => buildPlaintext(key, 1, seededCoefficients(key, 1, s)),
        run: (bytes) => void parseSecretKey(bytes, key, 'secret share'),
      },
      {
        id: 'key-share',
        description: `agent: parseKeyShare (its stored threshold key share, point ${SELF})`,
        what: 'threshold key share',
        // A share of another point is the caller's mix-up (INVALID_INPUT), not malformed bytes.
        codes: [ErrorCode.INVALID_CIPHERTEXT, ErrorCode.INVALID_INPUT],
        level: key,
        identity: { format: 'share', kind: ShareKind.thresholdKey, parmsId: key.parmsId, point: SELF },
        valid: keyShare,
        fresh: (s) => buildShare(ShareKind.thresholdKey, key, ceremony, seededCoefficients(key, 1, s), SELF),
        run: (bytes) => void parseKeyShare(key, bytes, SELF),
      },
    ];
    return { ctx, seed, targets, specimens, dispose: disposeAll };
  } catch (error) {
    disposeAll();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** Cheap deterministic filler (xorshift32) for large random regions: fast-check draws only its seed. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function readField(bytes: Uint8Array, field: Field): Uint8Array {
  return bytes.slice(field.offset, field.offset + field.width);
}

function toBytes(value: bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  for (let i = 0; i < width; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

function fromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

function f64Bytes(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, true);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** New contents for `field`, always different from `original`. */
function fieldValue(field: Field, original: Uint8Array, otherParmsIds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const { width } = field;
  const flip = fc.nat({ max: 8 * width - 1 }).map((bit) => {
    const out = original.slice();
    out[bit >> 3]! ^= 1 << (bit & 7);
    return out;
  });
  let candidates: fc.Arbitrary<Uint8Array>;
  if (field.type === 'bytes') {
    const parms = otherParmsIds.length > 0 && field.name === 'parms_id' ? [fc.constantFrom(...otherParmsIds)] : [];
    candidates = fc.oneof(flip, fc.uint8Array({ minLength: width, maxLength: width }), fc.constant(new Uint8Array(width)), ...parms);
  } else if (field.type === 'f64') {
    const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 40 + 1, 2 ** 60, 2 ** 61, 2 ** 109];
    candidates = fc.oneof(
      flip,
      fc.constantFrom(...specials).map(f64Bytes),
      fc.integer({ min: -1074, max: 1023 }).map((k) => f64Bytes(2 ** k)),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((bits) => toBytes(bits, 8)),
    );
  } else {
    const max = (1n << BigInt(8 * width)) - 1n;
    const value = fromBytes(original);
    const specials = [0n, 1n, 2n, 3n, 16n, max, max >> 1n, (max >> 1n) + 1n, value + 1n, value - 1n, value * 2n, value + 8n];
    if (width === 8) specials.push(2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 61n, value + 2n ** 32n);
    candidates = fc.oneof(flip, fc.constantFrom(...specials.map((v) => v & max)).map((v) => toBytes(v, width)), fc.bigInt({ min: 0n, max }).map((v) => toBytes(v, width)));
  }
  return candidates.map((bytes) => {
    if (!sameBytes(bytes, original)) return bytes;
    const out = bytes.slice();
    out[0]! ^= 1;
    return out;
  });
}

function withField(valid: Uint8Array, field: Field, value: Uint8Array): Uint8Array {
  const out = valid.slice();
  out.set(value, field.offset);
  return out;
}

function u64At(bytes: Uint8Array, offset: number, value: number | bigint): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(offset, BigInt(value), true);
}

function formatOf(target: FuzzTarget): Format {
  return target.identity.format;
}

/** One field of the valid object changed: the rejection must name that field. */
function fieldMutants(target: FuzzTarget, otherParmsIds: readonly Uint8Array[]): fc.Arbitrary<FuzzInput> {
  const fields = FIELDS[formatOf(target)];
  return fc
    .constantFrom(...fields)
    .chain((field) => fieldValue(field, readField(target.valid, field), otherParmsIds).map((value) => ({ field, value })))
    .map(({ field, value }): FuzzInput => {
      const bytes = withField(target.valid, field, value);
      let expect: Expectation = { verdict: 'reject', field: field.name };
      if (field.name === 'scale' && target.identity.scale === undefined) expect = { verdict: 'either', field: 'scale' };
      if (field.name === 'binding') expect = target.identity.binding === undefined ? { verdict: 'accept' } : { verdict: 'reject', message: /different|another ceremony/ };
      // A pointed share names the point it was dealt to or belongs to, in its own words.
      if (field.name === 'point' && target.identity.point !== undefined && target.identity.point > 0) expect = { verdict: 'reject', message: /point/ };
      if (formatOf(target) === 'wire') expect = { verdict: 'reject', message: WIRE_ERRORS[field.name]! };
      return { generator: `field ${field.name}`, bytes, expect };
    });
}

/** Writes `value` into the `width` bits at bit `position` of the little-endian bit stream at `offset`. */
function writeBitField(bytes: Uint8Array, offset: number, position: number, width: number, value: bigint): void {
  for (let bit = 0; bit < width; bit++) {
    const at = offset + ((position + bit) >> 3);
    const mask = 1 << ((position + bit) & 7);
    bytes[at] = (value >> BigInt(bit)) & 1n ? bytes[at]! | mask : bytes[at]! & ~mask;
  }
}

/**
 * One coefficient set at or above its prime (rejected, by index) or anywhere below it (accepted).
 * The wire format packs each coefficient in exactly its prime's bit length, so there "above" means
 * up to 2^bits − 1.
 */
function coefficientMutants(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const format = formatOf(target);
  const { level } = target;
  const n = level.polyModulusDegree;
  const count = POLYS[format] * level.primes.length * n;
  const index = fc.oneof(fc.nat({ max: count - 1 }), fc.constantFrom(...new Set([0, n - 1, n, count - 1].filter((i) => i < count))));
  const primeOf = (i: number): Prime => level.primes[Math.floor(i / n) % level.primes.length]!;
  return fc
    .tuple(index, fc.boolean())
    .chain(([i, tooLarge]) => {
      const q = primeOf(i).value;
      const top = format === 'wire' ? 2n ** BigInt(primeOf(i).bits) - 1n : 2n ** 64n - 1n;
      const value = tooLarge
        ? fc.oneof(fc.constantFrom(...[q, q + 1n, 2n ** 61n, 2n ** 63n, top].filter((v) => v >= q && v <= top)), fc.bigInt({ min: q, max: top }))
        : fc.oneof(fc.constantFrom(0n, 1n, q - 1n), fc.bigInt({ min: 0n, max: q - 1n }));
      return value.map((v) => ({ i, v, tooLarge }));
    })
    .map(({ i, v, tooLarge }): FuzzInput => {
      const bytes = target.valid.slice();
      let expect: Expectation = tooLarge ? { verdict: 'reject', field: 'data', index: i } : { verdict: 'accept' };
      if (format === 'wire') {
        let position = 0;
        for (let k = 0; k < i; k += n) position += primeOf(k).bits * Math.min(n, i - k);
        writeBitField(bytes, DATA_OFFSET.wire, position, primeOf(i).bits, v);
        if (tooLarge) expect = { verdict: 'reject', message: new RegExp(`^ciphertext: coefficient ${i} is not below its prime`) };
      } else {
        u64At(bytes, DATA_OFFSET[format] + 8 * i, v);
      }
      return { generator: tooLarge ? 'coefficient ≥ its prime' : 'coefficient below its prime', bytes, expect };
    });
}

/** A few random byte edits, mostly in the metadata: anything may happen, cleanly. */
function randomEdits(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const { valid } = target;
  const metadata = DATA_OFFSET[formatOf(target)] + 16;
  const edit = fc.record({ offset: fc.oneof(fc.nat({ max: metadata - 1 }), fc.nat({ max: valid.length - 1 })), value: fc.nat({ max: 255 }) });
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits): FuzzInput => {
    const bytes = valid.slice();
    for (const { offset, value } of edits) bytes[offset] = value;
    return { generator: 'random edits', bytes, expect: { verdict: 'either' } };
  });
}

/** Declared sizes made to agree with a new length, so only the parameter checks can catch it. */
function fixSizes(bytes: Uint8Array, format: Format, fixArray: boolean, fixCount: boolean): void {
  if (format === 'share' || format === 'wire' || bytes.length < 16) return;
  u64At(bytes, 8, bytes.length);
  const at = format === 'seal-ciphertext' ? C.arrayHeader : P.arrayHeader;
  if (fixArray && bytes.length >= at + 24) {
    u64At(bytes, at + 8, bytes.length - at);
    const data = at + 24;
    if (fixCount && (bytes.length - data) % 8 === 0) u64At(bytes, at + 16, (bytes.length - data) / 8);
  }
}

function sizeRejection(format: Format): Expectation {
  return format === 'wire' ? { verdict: 'reject', message: WIRE_ERRORS.length! } : { verdict: 'reject', field: SIZE_FIELDS };
}

function truncated(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const { valid } = target;
  const format = formatOf(target);
  const length = fc.oneof(fc.nat({ max: DATA_OFFSET[format] + 32 }), fc.nat({ max: valid.length - 1 }), fc.constant(valid.length - 8));
  return fc.tuple(length, fc.boolean(), fc.boolean(), fc.boolean()).map(([len, fixOuter, fixArray, fixCount]): FuzzInput => {
    const bytes = valid.slice(0, len);
    if (fixOuter) fixSizes(bytes, format, fixArray, fixCount);
    return { generator: fixOuter ? 'truncated, sizes fixed' : 'truncated', bytes, expect: sizeRejection(format) };
  });
}

function extended(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const { valid } = target;
  const format = formatOf(target);
  const extra = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(8, 8 * target.level.polyModulusDegree), fc.integer({ min: 1, max: valid.length }));
  return fc.tuple(extra, fc.integer(), fc.boolean(), fc.boolean(), fc.boolean()).map(([more, seed, fixOuter, fixArray, fixCount]): FuzzInput => {
    const bytes = new Uint8Array(valid.length + more);
    bytes.set(valid);
    bytes.set(noise(more, seed), valid.length);
    if (fixOuter) fixSizes(bytes, format, fixArray, fixCount);
    return { generator: fixOuter ? 'extended, sizes fixed' : 'extended', bytes, expect: sizeRejection(format) };
  });
}

/**
 * A self-consistent object of the wrong shape: another polynomial count (ciphertexts), coefficient
 * count (plaintexts), prime count or degree (shares), with the data resized to match.
 */
function reshaped(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const { valid, level } = target;
  const format = formatOf(target);
  const n = level.polyModulusDegree;
  const primes = level.primes.length;
  const resize = (header: Uint8Array, coefficients: number): Uint8Array => {
    const data = DATA_OFFSET[format];
    const bytes = new Uint8Array(data + 8 * coefficients);
    bytes.set(header.subarray(0, data));
    // Reduced coefficients, so that only the shape is wrong.
    for (let at = data; at < bytes.length; at += valid.length - data) bytes.set(valid.subarray(data, Math.min(valid.length, data + bytes.length - at)), at);
    fixSizes(bytes, format, true, true);
    return bytes;
  };
  if (format === 'wire') {
    // The valid header over one polynomial, or three: only the length can tell.
    const polyBytes = (valid.length - DATA_OFFSET.wire) / POLYS.wire;
    return fc.constantFrom(1, 3).map((polys): FuzzInput => {
      const bytes = new Uint8Array(DATA_OFFSET.wire + polys * polyBytes);
      bytes.set(valid.subarray(0, Math.min(valid.length, bytes.length)));
      if (bytes.length > valid.length) bytes.set(valid.subarray(DATA_OFFSET.wire, DATA_OFFSET.wire + polyBytes), valid.length);
      return { generator: 'reshaped polynomial count', bytes, expect: { verdict: 'reject', message: WIRE_ERRORS.length! } };
    });
  }
  if (format === 'share') {
    return fc.oneof(
      fc.constantFrom(...[1, 2, 3, 4].filter((count) => count !== primes)).map((count): FuzzInput => {
        const bytes = resize(valid, count * n);
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(12, count, true);
        return { generator: 'reshaped prime_count', bytes, expect: { verdict: 'reject', field: 'prime_count' } };
      }),
      fc.constantFrom(2048, 8192).map((degree): FuzzInput => {
        const bytes = resize(valid, primes * degree);
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, degree, true);
        return { generator: 'reshaped poly_modulus_degree', bytes, expect: { verdict: 'reject', field: 'poly_modulus_degree' } };
      }),
    );
  }
  if (format === 'seal-ciphertext') {
    return fc.constantFrom(0, 1, 3, 4).map((polys): FuzzInput => {
      const bytes = resize(valid, polys * primes * n);
      u64At(bytes, C.size, polys);
      return { generator: 'reshaped size (polynomial count)', bytes, expect: { verdict: 'reject', field: 'size' } };
    });
  }
  return fc.constantFrom(0, n, 3 * n).map((count): FuzzInput => {
    const bytes = resize(valid, count);
    u64At(bytes, P.coeffCount, count);
    return { generator: 'reshaped coeff_count', bytes, expect: { verdict: 'reject', field: 'coeff_count' } };
  });
}

/** Whether a reader of `target`'s kind must refuse `specimen` outright. */
export function mustRefuse(target: FuzzTarget, specimen: Identity): boolean {
  const want = target.identity;
  if (specimen.format !== want.format || specimen.kind !== want.kind) return true;
  if (specimen.parmsId.some((word, i) => word !== want.parmsId[i])) return true;
  if (want.nttForm !== undefined && specimen.nttForm !== want.nttForm) return true;
  if (want.scale !== undefined && specimen.scale !== want.scale) return true;
  if (want.point !== undefined && specimen.point !== want.point) return true;
  return want.binding !== undefined && specimen.binding !== want.binding;
}

/** Valid objects of other kinds or other parameters, as they are or with a few edits. */
function otherSpecimens(target: FuzzTarget, specimens: readonly Specimen[]): fc.Arbitrary<FuzzInput> {
  return fc.tuple(fc.constantFrom(...specimens), fc.array(fc.record({ at: fc.nat({ max: 127 }), value: fc.nat({ max: 255 }) }), { maxLength: 3 })).map(
    ([specimen, edits]): FuzzInput => {
      const bytes = specimen.bytes.slice();
      for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
      const unchanged = sameBytes(bytes, specimen.bytes);
      const expect: Expectation = unchanged ? (mustRefuse(target, specimen) ? { verdict: 'reject' } : { verdict: 'accept' }) : { verdict: 'either' };
      return { generator: unchanged ? 'other kind or parameters' : 'other kind or parameters, edited', bytes, expect };
    },
  );
}

function randomBytes(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const { valid } = target;
  const prefix = DATA_OFFSET[formatOf(target)] + 24;
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes): FuzzInput => ({ generator: 'random bytes', bytes, expect: { verdict: 'either' } })),
    fc.tuple(fc.integer(), fc.nat({ max: 2 * valid.length })).map(([seed, length]): FuzzInput => ({
      generator: 'random bytes, long',
      bytes: noise(length, seed),
      expect: { verdict: 'either' },
    })),
    fc.integer().map((seed): FuzzInput => ({ generator: 'random bytes, exact length', bytes: noise(valid.length, seed), expect: { verdict: 'reject' } })),
    // The valid header and metadata, then anything: reaches the deeper checks.
    fc.tuple(fc.integer(), fc.nat({ max: prefix }), fc.oneof(fc.constant(valid.length), fc.nat({ max: 2 * valid.length }))).map(([seed, keep, length]): FuzzInput => {
      const bytes = noise(length, seed);
      bytes.set(valid.subarray(0, Math.min(keep, length)));
      return { generator: 'valid prefix, random rest', bytes, expect: { verdict: 'either' } };
    }),
  );
}

function validInputs(target: FuzzTarget): fc.Arbitrary<FuzzInput> {
  return fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((seed): FuzzInput => ({ generator: 'valid', bytes: target.fresh(seed), expect: { verdict: 'accept' } })),
    fc.constant<FuzzInput>({ generator: 'valid', bytes: target.valid, expect: { verdict: 'accept' } }),
  );
}

/**
 * The bytes as a network stack or the file system may hand them over: at any alignment, and
 * (with `buffers`) as a Node Buffer viewing a larger allocation.
 */
function placed(input: fc.Arbitrary<FuzzInput>, buffers: boolean): fc.Arbitrary<FuzzInput> {
  return fc.tuple(input, fc.nat({ max: 7 }), buffers ? fc.boolean() : fc.constant(false)).map(([value, shift, asBuffer]): FuzzInput => {
    if (shift === 0 && !asBuffer) return value;
    const backing = new ArrayBuffer(value.bytes.length + shift + 8);
    const bytes = asBuffer ? Buffer.from(backing, shift, value.bytes.length) : new Uint8Array(backing, shift, value.bytes.length);
    bytes.set(value.bytes);
    return { ...value, bytes, placement: `${asBuffer ? 'a Buffer' : 'a Uint8Array'} at byte ${shift} of its buffer` };
  });
}

/** Options of inputsFor. */
export interface InputOptions {
  /**
   * Also hand bytes over as Node Buffers (default true), as fs, streams and most Node APIs do.
   * node-seal's loadFromArray refuses every Uint8Array subclass, Buffer included, so this checks
   * that the readers hand SEAL a plain view (sealBytes), and that none reads past its view.
   */
  readonly buffers?: boolean;
}

/** Every generator for `target`, weighted so that most inputs reach a specific check. */
export function inputsFor(target: FuzzTarget, world: FuzzWorld, options: InputOptions = {}): fc.Arbitrary<FuzzInput> {
  const parmsIds = new Map<string, Uint8Array>();
  for (const { parmsId } of world.specimens) {
    if (parmsId.every((word, i) => word === target.identity.parmsId[i])) continue;
    parmsIds.set(parmsId.join(), Uint8Array.from(parmsId.flatMap((word) => [...toBytes(word, 8)])));
  }
  const otherParmsIds = [...parmsIds.values()];
  return placed(
    fc.oneof(
      { arbitrary: randomBytes(target), weight: 3 },
      { arbitrary: fieldMutants(target, otherParmsIds), weight: 5 },
      { arbitrary: coefficientMutants(target), weight: 3 },
      { arbitrary: randomEdits(target), weight: 3 },
      { arbitrary: truncated(target), weight: 2 },
      { arbitrary: extended(target), weight: 2 },
      { arbitrary: reshaped(target), weight: 1 },
      { arbitrary: otherSpecimens(target, world.specimens), weight: 2 },
      { arbitrary: validInputs(target), weight: 2 },
    ),
    options.buffers ?? true,
  );
}

// ---------------------------------------------------------------------------------------------
// Judging one input.

/** Why an input counts as a finding. */
export type FindingKind =
  | 'crash' // anything but an AppError escaped (WebAssembly.Exception, RuntimeError, TypeError, ...)
  | 'wrong code'
  | 'unclear message'
  | 'seal-stage rejection' // the parser accepted what SEAL then refused: the parser misses a check
  | 'accepted bad input'
  | 'rejected valid input'
  | 'wrong field';

/** A property violation found by the fuzzer. */
export class FuzzFinding extends Error {
  override readonly name = 'FuzzFinding';
  readonly kind: FindingKind;

  constructor(kind: FindingKind, message: string, options?: { cause?: unknown }) {
    super(`${kind}: ${message}`, options);
    this.kind = kind;
  }
}

/** How a target answered one input. */
export type Outcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly code: ErrorCode; readonly field: string | undefined; readonly message: string };

function fieldMatches(expected: string | RegExp, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return typeof expected === 'string' ? actual === expected : expected.test(actual);
}

function describeInput(input: FuzzInput): string {
  const expect = input.expect;
  const detail = expect.verdict === 'accept' ? '' : `${expect.field === undefined ? '' : ` ${String(expect.field)}`}${expect.index === undefined ? '' : ` #${expect.index}`}`;
  const placement = input.placement === undefined ? '' : `, as ${input.placement}`;
  return `[${input.generator}, ${input.bytes.length} bytes${placement}, expected ${expect.verdict}${detail}]`;
}

/**
 * Runs `target` on `input` and checks the answer: throws a FuzzFinding when anything but an
 * AppError escapes, when the code or message is not what a caller can act on, or when the verdict
 * or the named field contradicts what the input was made to be.
 */
export function judge(target: FuzzTarget, input: FuzzInput): Outcome {
  let thrown: unknown;
  let threw = false;
  try {
    target.run(input.bytes);
  } catch (error) {
    threw = true;
    thrown = error;
  }
  const about = `${target.id} ${describeInput(input)}`;
  if (!threw) {
    if (input.expect.verdict === 'reject') throw new FuzzFinding('accepted bad input', about);
    return { accepted: true };
  }
  if (!(thrown instanceof AppError)) {
    const type = thrown instanceof Error ? thrown.constructor.name : typeof thrown;
    throw new FuzzFinding('crash', `${about}: ${type}: ${describeError(thrown)}`, { cause: thrown });
  }
  const { code, message } = thrown;
  const field = typeof thrown.details?.field === 'string' ? thrown.details.field : undefined;
  if (!target.codes.includes(code)) throw new FuzzFinding('wrong code', `${about}: ${code}: ${message}`, { cause: thrown });
  const named = message.toLowerCase().includes(target.what.toLowerCase());
  if (message.trim() === '' || !named || (field !== undefined && !message.includes(`${target.what}: ${field}`))) {
    throw new FuzzFinding('unclear message', `${about}: "${message}" should name the ${target.what}${field === undefined ? '' : ` and its field ${field}`}`, {
      cause: thrown,
    });
  }
  if (message.includes('failed in SEAL')) throw new FuzzFinding('seal-stage rejection', `${about}: ${message}`, { cause: thrown });
  const expect = input.expect;
  if (expect.verdict === 'accept') throw new FuzzFinding('rejected valid input', `${about}: ${message}`, { cause: thrown });
  const wrongField = expect.field !== undefined && !fieldMatches(expect.field, field);
  const wrongIndex = expect.index !== undefined && thrown.details?.index !== expect.index;
  const wrongMessage = expect.message !== undefined && !expect.message.test(message);
  if (wrongField || wrongIndex || wrongMessage) throw new FuzzFinding('wrong field', `${about}: "${message}"`, { cause: thrown });
  return { accepted: false, code, field, message };
}

// ---------------------------------------------------------------------------------------------
// The campaign.

interface TargetReport {
  readonly target: FuzzTarget;
  inputs: number;
  accepted: number;
  readonly byCode: Map<string, number>;
  readonly byField: Map<string, number>;
  readonly byGenerator: Map<string, number>;
  /** Findings grouped by what went wrong (numbers blanked), with how often and the first run. */
  readonly findings: Map<string, { count: number; readonly run: number; readonly finding: FuzzFinding }>;
  findingCount: number;
  heapBefore: number;
  heapAfter: number;
  slowestMs: number;
  seconds: number;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Runs `runs` inputs against `target`, recording instead of stopping at findings. */
export function campaign(world: FuzzWorld, target: FuzzTarget, runs: number, options: InputOptions, onProgress?: (done: number) => void): TargetReport {
  const report: TargetReport = {
    target,
    inputs: 0,
    accepted: 0,
    byCode: new Map(),
    byField: new Map(),
    byGenerator: new Map(),
    findings: new Map(),
    findingCount: 0,
    heapBefore: sealHeapBytes() ?? 0,
    heapAfter: 0,
    slowestMs: 0,
    seconds: 0,
  };
  const started = performance.now();
  let run = 0;
  fc.check(
    fc.property(inputsFor(target, world, options), (input) => {
      const at = run++;
      report.inputs++;
      bump(report.byGenerator, input.generator);
      const t0 = performance.now();
      try {
        const outcome = judge(target, input);
        if (outcome.accepted) report.accepted++;
        else {
          bump(report.byCode, outcome.code);
          // Readers that name no field (the wire format, bindings, points) are grouped by message.
          bump(report.byField, outcome.field ?? `"${outcome.message.replace(/\d+/g, '#').slice(0, 48)}…"`);
        }
      } catch (error) {
        const finding = error instanceof FuzzFinding ? error : new FuzzFinding('crash', describeError(error), { cause: error });
        report.findingCount++;
        const signature = `${finding.kind}: ${input.generator}: ${(finding.cause instanceof Error ? finding.cause.message : finding.message).replace(/\d+/g, '#')}`;
        const seen = report.findings.get(signature);
        if (seen === undefined) report.findings.set(signature, { count: 1, run: at, finding });
        else seen.count++;
      }
      report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
      if (onProgress !== undefined && run % 10_000 === 0) onProgress(run);
      return true;
    }),
    { numRuns: runs, seed: world.seed },
  );
  report.heapAfter = sealHeapBytes() ?? 0;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Replays run `path` of `target` under `seed`, printing the input and what happened. */
function replay(world: FuzzWorld, target: FuzzTarget, path: string, options: InputOptions): boolean {
  const details = fc.check(
    fc.property(inputsFor(target, world, options), (input) => {
      console.log(`input: ${describeInput(input)}`);
      console.log(`first bytes: ${hex(input.bytes.subarray(0, 128))}`);
      const outcome = judge(target, input);
      console.log(`outcome: ${JSON.stringify(outcome)}`);
    }),
    { numRuns: 1, seed: world.seed, path, endOnFailure: true },
  );
  if (details.failed) {
    const error = details.errorInstance;
    console.log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) console.log(`caused by: ${cause.stack ?? cause.message}`);
  }
  return !details.failed;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function top(map: Map<string, number>, limit = 12): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
}

const USAGE = `Usage: npm run fuzz -w @consilium/secagg -- [--runs N] [--seed S] [--target ID ...] [--path K] [--no-buffers]
  --runs N     inputs per target (default 10000)
  --no-buffers never hand bytes over as Node Buffers
  --seed S     fast-check seed; the world's keys and ciphertexts are derived from it too (default: random)
  --target ID  only these targets (repeatable); --list shows them
  --path K     replay input K of one --target under --seed, with the full error`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      target: { type: 'string', multiple: true },
      path: { type: 'string' },
      buffers: { type: 'boolean', default: true },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowNegative: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `--runs must be a positive integer and --seed an integer\n${USAGE}`);
  }
  const known: readonly string[] = FUZZ_TARGET_IDS;
  const unknown = (values.target ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, `unknown --target ${unknown.join(', ')}; one of ${known.join(', ')}`);
  const world = await createFuzzWorld(seed);
  try {
    if (values.list) {
      for (const t of world.targets) console.log(`${t.id.padEnd(18)} ${t.description}`);
      return 0;
    }
    const targets = values.target === undefined ? world.targets : world.targets.filter((t) => values.target!.includes(t.id));
    if (values.path !== undefined) {
      if (targets.length !== 1 || values.seed === undefined) throw new AppError(ErrorCode.INVALID_INPUT, '--path replays one input: give --seed and one --target');
      return replay(world, targets[0]!, values.path, { buffers: values.buffers }) ? 0 : 1;
    }

    // The first SEAL loads of each size grow SEAL's memory pool once; leaks are what happens after.
    for (const target of targets) for (let i = 0; i < 50; i++) target.run(target.valid);
    const heapAtStart = sealHeapBytes() ?? 0;
    console.log(
      `secagg fuzz campaign: seed ${seed}, ${runs} inputs per target${values.buffers ? '' : ' (no Buffers)'}, node ${process.version}, ` +
        `study parameters N=${FUZZ_PARAMS.polyModulusDegree} [${FUZZ_PARAMS.coeffModulusBits.join(', ')}]`,
    );
    console.log(`${world.specimens.length} specimens of other kinds and parameters; SEAL heap ${mib(heapAtStart)}\n`);
    const reports: TargetReport[] = [];
    for (const target of targets) {
      process.stdout.write(`${target.id}: ${target.description}\n`);
      const report = campaign(world, target, runs, { buffers: values.buffers }, (done) => process.stdout.write(`\r  ${done} / ${runs}`));
      process.stdout.write('\r');
      reports.push(report);
      console.log(
        `  inputs ${report.inputs}, accepted ${report.accepted}, rejected ${report.inputs - report.accepted - report.findingCount}, findings ${report.findingCount}; ` +
          `${report.seconds.toFixed(1)} s, slowest input ${report.slowestMs.toFixed(2)} ms; heap ${mib(report.heapBefore)} → ${mib(report.heapAfter)}`,
      );
      console.log(`  rejections by code: ${top(report.byCode)}`);
      console.log(`  rejections by field: ${top(report.byField, 40)}`);
      console.log(`  inputs by generator: ${top(report.byGenerator, 40)}`);
      for (const { count, run, finding } of report.findings.values()) {
        console.log(`  FINDING ×${count}, first at run ${run}: ${finding.message}`);
        console.log(`    replay: npm run fuzz -w @consilium/secagg -- --seed ${seed} --target ${target.id} --path ${run}${values.buffers ? '' : ' --no-buffers'}`);
      }
    }
    const heapAtEnd = sealHeapBytes() ?? 0;
    const findings = reports.reduce((sum, r) => sum + r.findingCount, 0);
    const inputs = reports.reduce((sum, r) => sum + r.inputs, 0);
    const heapGrew = heapAtEnd > heapAtStart;
    console.log(`\n${inputs} inputs, ${findings} findings; SEAL heap ${mib(heapAtStart)} before, ${mib(heapAtEnd)} after${heapGrew ? ' (GREW: a leak)' : ''}`);
    return findings > 0 || heapGrew ? 1 : 0;
  } finally {
    try {
      world.dispose();
    } catch (error) {
      // After a crash SEAL may be unusable, freeing included; the report above is what matters.
      console.log(`(could not free the SEAL objects: ${describeError(error)})`);
    }
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : describeError(error));
      process.exitCode = 2;
    },
  );
}
