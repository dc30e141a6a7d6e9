import { ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_PARAMS, seededCoefficients } from '../scripts/fuzz.ts';
import { expectAppError } from '../test/support.ts';
import { createCkksContext, internalsOf, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import type { RnsLevel } from './rns.ts';
import { saveUncompressed, withSealScope } from './seal-call.ts';
import {
  buildCiphertext,
  buildPlaintext,
  buildPublicKey,
  CIPHERTEXT_LAYOUT,
  parseCiphertext,
  parsePlaintext,
  parsePublicKey,
  parseSecretKey,
  PLAINTEXT_LAYOUT,
} from './serialization.ts';

/**
 * Properties of the SEAL serialization builder and parser, for random coefficients and scales at
 * every level of two parameter sets (one data prime; two data primes): the parser returns what the
 * builder wrote, SEAL loads what the builder writes and saves it back byte for byte, and what SEAL
 * writes parses and rebuilds to the same bytes. Rejections of bad bytes are fuzzed through the
 * validators in untrusted-bytes.test.ts.
 */

let ctx: CkksContext;
let multi: CkksContext;

beforeAll(async () => {
  ctx = await createCkksContext(FUZZ_PARAMS);
  multi = await createCkksContext({ polyModulusDegree: 4096, coeffModulusBits: [40, 30, 38], smudgingSigmaBits: 20 });
});
afterAll(() => {
  ctx?.dispose();
  multi?.dispose();
});

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const context = (): fc.Arbitrary<CkksContext> => fc.constantFrom(ctx, multi);

function modulusBits(level: RnsLevel): number {
  return level.primes.reduce((sum, p) => sum + p.bits, 0);
}

/** Byte equality of two typed arrays (vitest's toEqual walks them element by element: too slow here). */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** `bytes` copied to byte `shift` of a fresh buffer. */
function shifted(bytes: Uint8Array, shift: number): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length + shift), shift, bytes.length);
  copy.set(bytes);
  return copy;
}

describe('builder and parser', () => {
  it('parse(build(c)) is c with its scale, at both levels, in either form, at any power-of-two scale', () => {
    fc.assert(
      fc.property(context(), fc.boolean(), fc.boolean(), seed, fc.double({ min: 0, max: 1, noNaN: true }), (c, keyLevel, nttForm, s, fraction) => {
        const { data, key } = rnsLevels(c);
        const level = keyLevel ? key : data;
        const scaleBits = Math.floor(fraction * (modulusBits(level) - 1));
        const words = seededCoefficients(level, 2, s);
        const bytes = buildCiphertext(level, { nttForm, scale: 2 ** scaleBits }, words);
        for (const expected of [scaleBits, 'any'] as const) {
          const parsed = parseCiphertext(bytes, { what: 'ciphertext', level, nttForm, scaleBits: expected });
          expect(same(parsed.coefficients, words)).toBe(true);
          expect(parsed.scale).toBe(2 ** scaleBits);
        }
        const plainWords = words.subarray(0, words.length / 2);
        const plaintext = buildPlaintext(level, 2 ** scaleBits, plainWords);
        expect(same(parsePlaintext(plaintext, { what: 'plaintext', level, scaleBits }).coefficients, plainWords)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('reads the same words at any alignment, and views (does not copy) aligned input', () => {
    const { data } = rnsLevels(ctx);
    fc.assert(
      fc.property(seed, fc.nat({ max: 7 }), (s, shift) => {
        const words = seededCoefficients(data, 2, s);
        const bytes = shifted(buildCiphertext(data, { nttForm: true, scale: 2 ** 40 }, words), shift);
        const parsed = parseCiphertext(bytes, { what: 'ciphertext', level: data, nttForm: true, scaleBits: 40 });
        expect(same(parsed.coefficients, words)).toBe(true);
        const aligned = (bytes.byteOffset + CIPHERTEXT_LAYOUT.data) % 8 === 0;
        expect(parsed.coefficients.buffer === bytes.buffer).toBe(aligned);
      }),
      { numRuns: 24 },
    );
  });

  it('the builders refuse a coefficient array of the wrong length as a bug (INTERNAL), not bad data', () => {
    const { data, key } = rnsLevels(ctx);
    const expected = 2 * 2 * data.polyModulusDegree;
    fc.assert(
      fc.property(fc.nat({ max: 4 * expected }).filter((n) => n !== expected && n !== expected / 2), (length) => {
        const words = new Uint32Array(length);
        expectAppError(() => buildCiphertext(data, { nttForm: true, scale: 1 }, words), ErrorCode.INTERNAL, /serializer got/);
        expectAppError(() => buildPlaintext(data, 1, words), ErrorCode.INTERNAL, /serializer got/);
        if (length !== 2 * expected) expectAppError(() => buildPublicKey(key, words), ErrorCode.INTERNAL, /serializer got/);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the builder writes exactly what SEAL writes', () => {
  it('SEAL loads built ciphertexts, public keys, secret keys and plaintexts and saves the same bytes', () => {
    fc.assert(
      fc.property(context(), seed, fc.nat({ max: 7 }), fc.integer({ min: 0, max: 59 }), (c, s, shift, scaleBits) => {
        const { seal, context: sealContext } = internalsOf(c);
        const { data, key } = rnsLevels(c);
        const objects = [
          { bytes: buildCiphertext(data, { nttForm: true, scale: 2 ** scaleBits }, seededCoefficients(data, 2, s)), make: () => new seal.Ciphertext() },
          { bytes: buildCiphertext(data, { nttForm: false, scale: 2 ** scaleBits }, seededCoefficients(data, 2, s)), make: () => new seal.Ciphertext() },
          { bytes: buildPublicKey(key, seededCoefficients(key, 2, s)), make: () => new seal.PublicKey() },
          { bytes: buildPlaintext(key, 1, seededCoefficients(key, 1, s)), make: () => new seal.SecretKey() },
          { bytes: buildPlaintext(data, 2 ** scaleBits, seededCoefficients(data, 1, s)), make: () => new seal.Plaintext() },
        ];
        for (const { bytes, make } of objects) {
          const saved = withSealScope((scope) => {
            const object = scope.add(make());
            object.loadFromArray(sealContext, shifted(bytes, shift));
            return saveUncompressed(seal, object);
          });
          expect(same(saved, bytes)).toBe(true);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('what SEAL writes (fresh keys, encryptions of random values at random scales) parses and rebuilds to the same bytes', () => {
    fc.assert(
      fc.property(
        context(),
        fc.integer({ min: 20, max: 36 }),
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (c, scaleBits, values) => {
          const { seal, context: sealContext, encoder } = internalsOf(c);
          const { data, key } = rnsLevels(c);
          const [secretKey, publicKey, ciphertext, plaintext] = withSealScope((scope) => {
            const generator = scope.add(new seal.KeyGenerator(sealContext));
            const pk = scope.add(generator.createPublicKey());
            const plain = scope.add(new seal.Plaintext());
            encoder.encode(Float64Array.from(values), 2 ** scaleBits, plain);
            const cipher = scope.add(new seal.Ciphertext());
            scope.add(new seal.Encryptor(sealContext, pk)).encrypt(plain, cipher);
            return [scope.add(generator.secretKey()), pk, cipher, plain].map((object) => saveUncompressed(seal, object));
          }) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
          const sk = parseSecretKey(secretKey, key);
          expect(same(buildPlaintext(key, 1, sk.coefficients), secretKey)).toBe(true);
          expect(same(buildPublicKey(key, parsePublicKey(publicKey, key).coefficients), publicKey)).toBe(true);
          const ct = parseCiphertext(ciphertext, { what: 'ciphertext', level: data, nttForm: true, scaleBits });
          expect(same(buildCiphertext(data, { nttForm: true, scale: ct.scale }, ct.coefficients), ciphertext)).toBe(true);
          const pt = parsePlaintext(plaintext, { what: 'plaintext', level: data, scaleBits });
          expect(same(buildPlaintext(data, pt.scale, pt.coefficients), plaintext)).toBe(true);
          expect(plaintext.length).toBe(PLAINTEXT_LAYOUT.data + 8 * data.primes.length * data.polyModulusDegree);
        },
      ),
      { numRuns: 10 },
    );
  });
});
