import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, mutated, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { createCkksContext, internalsOf } from './context.ts';
import type { CkksContext, ContextInternals } from './context.ts';
import { encryptVector } from './encryption.ts';
import { generateSecretShare } from './key-ceremony.ts';
import { saveUncompressed, withSealScope } from './seal-call.ts';
import {
  buildCiphertext,
  buildPlaintext,
  buildPublicKey,
  CIPHERTEXT_LAYOUT,
  ciphertextByteLength,
  parseCiphertext,
  parsePlaintext,
  parsePublicKey,
  parseSecretKey,
  PLAINTEXT_LAYOUT,
  plaintextByteLength,
} from './serialization.ts';
import type { CiphertextExpectation } from './serialization.ts';

const SCALE_BITS = 40;
let ctx: CkksContext;
let internals: ContextInternals;
let ceremony: Ceremony;
let ciphertext: Uint8Array;
let expectation: CiphertextExpectation;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  internals = internalsOf(ctx);
  ceremony = runCeremony(ctx, 2);
  ciphertext = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1, 2, 3), SCALE_BITS)[0]!;
  expectation = { what: 'ciphertext', level: internals.dataLevel, nttForm: true, scaleBits: SCALE_BITS };
});
afterAll(() => ctx.dispose());

function sealPlaintext(): Uint8Array {
  const { seal, encoder } = internals;
  return withSealScope((scope) => {
    const plaintext = scope.add(new seal.Plaintext());
    encoder.encode(Float64Array.of(0.5, -2), 2 ** SCALE_BITS, plaintext);
    return saveUncompressed(seal, plaintext);
  });
}

function sealPublicKey(): Uint8Array {
  const { seal, context } = internals;
  return withSealScope((scope) => saveUncompressed(seal, scope.add(scope.add(new seal.KeyGenerator(context)).createPublicKey())));
}

function headerFields(bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint16(0, true), bytes[2], bytes[3], bytes[4], bytes[5], view.getUint16(6, true), Number(view.getBigUint64(8, true))];
}

describe('SEAL layout pinned for node-seal 7.0.0 (N=4096, primes [60, 49])', () => {
  it('ciphertext: header, metadata, offsets and size', () => {
    expect(ciphertext.length).toBe(65649);
    expect(ciphertextByteLength(internals.dataLevel)).toBe(65649);
    expect(ctx.ciphertextBytes).toBe(65649);
    expect(headerFields(ciphertext)).toEqual([0xa15e, 16, 4, 1, 0, 0, 65649]);
    const view = new DataView(ciphertext.buffer, ciphertext.byteOffset);
    const L = CIPHERTEXT_LAYOUT;
    expect([0, 1, 2, 3].map((i) => view.getBigUint64(L.parmsId + 8 * i, true))).toEqual(internals.dataLevel.parmsId);
    expect(ciphertext[L.nttForm]).toBe(1);
    expect(view.getBigUint64(L.size, true)).toBe(2n);
    expect(view.getBigUint64(L.polyModulusDegree, true)).toBe(4096n);
    expect(view.getBigUint64(L.coeffModulusSize, true)).toBe(1n);
    expect(view.getFloat64(L.scale, true)).toBe(2 ** SCALE_BITS);
    expect(view.getBigUint64(L.correctionFactor, true)).toBe(1n);
    expect(headerFields(ciphertext.subarray(L.arrayHeader))).toEqual([0xa15e, 16, 4, 1, 0, 0, 16 + 8 + 8 * 8192]);
    expect(view.getBigUint64(L.elementCount, true)).toBe(8192n);
    expect(L.data).toBe(113);
  });

  it('plaintext, secret key and public key: sizes and offsets', () => {
    const plaintext = sealPlaintext();
    expect(plaintext.length).toBe(32856);
    expect(plaintextByteLength(internals.dataLevel)).toBe(32856);
    expect(headerFields(plaintext)).toEqual([0xa15e, 16, 4, 1, 0, 0, 32856]);
    expect(new DataView(plaintext.buffer).getBigUint64(PLAINTEXT_LAYOUT.coeffCount, true)).toBe(4096n);
    expect(PLAINTEXT_LAYOUT.data).toBe(88);
    const secretKey = generateSecretShare(ctx);
    expect(secretKey.length).toBe(65624);
    expect(new DataView(secretKey.buffer).getFloat64(PLAINTEXT_LAYOUT.scale, true)).toBe(1);
    const publicKey = sealPublicKey();
    expect(publicKey.length).toBe(131185);
    expect(new DataView(publicKey.buffer).getBigUint64(CIPHERTEXT_LAYOUT.coeffModulusSize, true)).toBe(2n);
  });

  it('data and key levels: one 60-bit data prime, the 49-bit prime only at the key level', () => {
    expect(internals.dataLevel.primes.map((p) => p.bits)).toEqual([60]);
    expect(internals.keyLevel.primes.map((p) => p.bits)).toEqual([60, 49]);
    expect(ctx.dataModuli).toEqual([1152921504606830593n]);
    expect(ctx.keyModuli).toEqual([1152921504606830593n, 562949953216513n]);
  });
});

describe('roundtrip: parse SEAL bytes, rebuild, get the same bytes', () => {
  it('ciphertext', () => {
    const parsed = parseCiphertext(ciphertext, expectation);
    expect(parsed.scale).toBe(2 ** SCALE_BITS);
    expect(buildCiphertext(internals.dataLevel, { nttForm: true, scale: parsed.scale }, parsed.coefficients)).toEqual(ciphertext);
  });

  it('plaintext', () => {
    const plaintext = sealPlaintext();
    const parsed = parsePlaintext(plaintext, { what: 'plaintext', level: internals.dataLevel, scaleBits: SCALE_BITS });
    expect(buildPlaintext(internals.dataLevel, parsed.scale, parsed.coefficients)).toEqual(plaintext);
  });

  it('public key', () => {
    const publicKey = sealPublicKey();
    expect(buildPublicKey(internals.keyLevel, parsePublicKey(publicKey, internals.keyLevel).coefficients)).toEqual(publicKey);
  });

  it('secret key', () => {
    const secretKey = generateSecretShare(ctx);
    const parsed = parseSecretKey(secretKey, internals.keyLevel);
    expect(buildPlaintext(internals.keyLevel, 1, parsed.coefficients)).toEqual(secretKey);
  });

  it('built bytes load in SEAL even though their buffer is offset for alignment', () => {
    const parsed = parseCiphertext(ciphertext, expectation);
    const rebuilt = buildCiphertext(internals.dataLevel, { nttForm: true, scale: parsed.scale }, parsed.coefficients);
    expect(rebuilt.byteOffset).not.toBe(0);
    const { seal, context } = internals;
    const reloaded = withSealScope((scope) => {
      const loaded = scope.add(new seal.Ciphertext());
      loaded.loadFromArray(context, rebuilt);
      return saveUncompressed(seal, loaded);
    });
    expect(reloaded).toEqual(ciphertext);
  });
});

describe('rejections name the field', () => {
  const reject = (bytes: Uint8Array, field: RegExp, expected: Partial<CiphertextExpectation> = {}): void => {
    expectAppError(() => parseCiphertext(bytes, { ...expectation, ...expected }), ErrorCode.INVALID_CIPHERTEXT, field);
  };
  const u64At = (offset: number, value: bigint) => (view: DataView) => view.setBigUint64(offset, value, true);
  const L = CIPHERTEXT_LAYOUT;

  it('truncated data', () => {
    reject(ciphertext.subarray(0, 10), /header is truncated/);
    reject(ciphertext.subarray(0, ciphertext.length - 1), /header\.size declares 65649 bytes but 65648/);
    reject(mutated(ciphertext, u64At(8, 60n)).subarray(0, 60), /metadata is truncated/);
  });

  it('oversized data', () => {
    const padded = new Uint8Array(ciphertext.length + 8);
    padded.set(ciphertext);
    reject(padded, /header\.size declares/);
    const consistent = mutated(padded, (view) => {
      view.setBigUint64(8, BigInt(padded.length), true);
      view.setBigUint64(L.arrayHeader + 8, BigInt(padded.length - L.arrayHeader), true);
      view.setBigUint64(L.elementCount, 8193n, true);
    });
    reject(consistent, /data\.count is 8193, expected 8192/);
  });

  it('wrong magic, version, compression, reserved bits', () => {
    reject(mutated(ciphertext, (view) => view.setUint8(0, 0)), /header\.magic/);
    reject(mutated(ciphertext, (view) => view.setUint8(3, 3)), /header\.version is 3\.1/);
    reject(mutated(ciphertext, (view) => view.setUint8(2, 17)), /header\.header_size/);
    reject(mutated(ciphertext, (view) => view.setUint8(6, 1)), /header\.reserved/);
    reject(mutated(ciphertext, (view) => view.setUint8(L.arrayHeader + 1, 0)), /data\.header\.magic/);
    const { seal, encoder, context } = internals;
    const compressed = withSealScope((scope) => {
      const plaintext = scope.add(new seal.Plaintext());
      encoder.encode(Float64Array.of(1), 2 ** SCALE_BITS, plaintext);
      const key = scope.add(new seal.PublicKey());
      key.loadFromArray(context, ceremony.publicKey);
      const cipher = scope.add(new seal.Ciphertext());
      scope.add(new seal.Encryptor(context, key)).encrypt(plaintext, cipher);
      const bytes: unknown = cipher.saveToArray(seal.ComprModeType.zstd);
      return bytes as Uint8Array;
    });
    reject(compressed, /compr_mode is zstd/);
  });

  it('wrong parms_id: a ciphertext of other parameters or another level', async () => {
    // The data level's parms_id hashes the data primes only: [60, 40] would collide, [59, 49] does not.
    const other = await createCkksContext({ ...DEFAULT_PARAMS, coeffModulusBits: [59, 49] });
    try {
      const foreign = encryptVector(other, runCeremony(other, 1).publicKey, Float64Array.of(1), SCALE_BITS)[0]!;
      expect(foreign.length).toBe(ciphertext.length);
      reject(foreign, /parms_id does not match/);
    } finally {
      other.dispose();
    }
    reject(ceremony.publicKey, /parms_id/);
    expectAppError(() => parsePublicKey(ciphertext, internals.keyLevel), ErrorCode.INVALID_CIPHERTEXT, /public key: parms_id/);
  });

  it('wrong size, degree, prime count, NTT flag, scale, correction factor', () => {
    reject(mutated(ciphertext, u64At(L.size, 3n)), /size is 3, expected 2/);
    reject(mutated(ciphertext, u64At(L.size, 1n << 63n)), /size is Infinity/);
    reject(mutated(ciphertext, u64At(L.polyModulusDegree, 8192n)), /poly_modulus_degree/);
    reject(mutated(ciphertext, u64At(L.coeffModulusSize, 2n)), /coeff_modulus_size/);
    reject(mutated(ciphertext, (view) => view.setUint8(L.nttForm, 0)), /is_ntt_form is 0/);
    reject(mutated(ciphertext, (view) => view.setUint8(L.nttForm, 2)), /is_ntt_form is 2/);
    reject(ciphertext, /scale is 1099511627776 \(2\^40\), expected exactly 2\^41/, { scaleBits: 41 });
    reject(mutated(ciphertext, (view) => view.setFloat64(L.scale, Number.NaN, true)), /scale is NaN/);
    reject(mutated(ciphertext, (view) => view.setFloat64(L.scale, 3, true)), /scale is 3, expected a power of two/, { scaleBits: 'any' });
    reject(mutated(ciphertext, u64At(L.correctionFactor, 2n)), /correction_factor is 2/);
  });

  it('a coefficient not below its prime, in either polynomial', () => {
    const q = internals.dataLevel.primes[0]!.value;
    reject(mutated(ciphertext, u64At(L.data + 8 * 5, q)), /data coefficient 5 is not below its prime/);
    reject(mutated(ciphertext, u64At(L.data + 8 * 8191, 2n ** 64n - 1n)), /coefficient 8191/);
    const justBelow = mutated(ciphertext, u64At(L.data, q - 1n));
    expect(() => parseCiphertext(justBelow, expectation)).not.toThrow();
  });

  it('a secret key from other parameters, or something that is no Uint8Array', () => {
    expectAppError(() => parseSecretKey(ciphertext, internals.keyLevel), ErrorCode.INVALID_CIPHERTEXT, /secret key: parms_id/);
    expectAppError(() => parseCiphertext([1, 2, 3] as unknown as Uint8Array, expectation), ErrorCode.INVALID_INPUT, /expected a Uint8Array/);
  });
});
