import { ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_PARAMS, seededCoefficients } from '../scripts/fuzz.ts';
import { expectAppError } from '../test/support.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import type { RnsLevel } from './rns.ts';
import { buildShare, MAX_POINT, parseShare, SHARE_HEADER_BYTES, ShareKind } from './share-format.ts';

/**
 * Properties of the share format (public-key, decryption, dealt and threshold key shares) for every
 * kind, at both levels, with random coefficients, bindings and committee points, at any alignment.
 * Rejections of bad bytes are fuzzed through the validators in untrusted-bytes.test.ts.
 */

/** Kinds that belong to a committee point (the header's point field), as share-format.ts documents. */
const POINTED: ReadonlySet<ShareKind> = new Set([ShareKind.dealt, ShareKind.thresholdKey]);
const KINDS = Object.values(ShareKind);

let ctx: CkksContext;
let levels: RnsLevel[];

beforeAll(async () => {
  ctx = await createCkksContext(FUZZ_PARAMS);
  const { data, key } = rnsLevels(ctx);
  levels = [data, key];
});
afterAll(() => ctx?.dispose());

function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const share = fc.record({
  kind: fc.constantFrom(...KINDS),
  keyLevel: fc.boolean(),
  seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  binding: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  point: fc.oneof(fc.integer({ min: 1, max: MAX_POINT }), fc.constantFrom(1, 2, MAX_POINT)),
  shift: fc.nat({ max: 7 }),
});

describe('share format', () => {
  it('parse(build(s)) returns the point, binding and coefficients of every kind, at any alignment', () => {
    fc.assert(
      fc.property(share, ({ kind, keyLevel, seed, binding, point, shift }) => {
        const level = levels[keyLevel ? 1 : 0]!;
        const coefficients = seededCoefficients(level, 1, seed);
        const pointOf = POINTED.has(kind) ? point : 0;
        const built = buildShare(kind, level, binding, coefficients, pointOf);
        expect((built.byteOffset + SHARE_HEADER_BYTES) % 8).toBe(0);
        const bytes = new Uint8Array(new ArrayBuffer(built.length + shift), shift, built.length);
        bytes.set(built);
        const parsed = parseShare(bytes, kind, level);
        expect(parsed.point).toBe(pointOf);
        expect(same(parsed.binding, binding)).toBe(true);
        expect(same(parsed.coefficients, coefficients)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a share of one kind is refused as any other kind, by its kind field', () => {
    fc.assert(
      fc.property(share, fc.constantFrom(...KINDS, 0, 5, 255), ({ kind, keyLevel, seed, binding, point }, asKind) => {
        fc.pre(asKind !== kind);
        const level = levels[keyLevel ? 1 : 0]!;
        const bytes = buildShare(kind, level, binding, seededCoefficients(level, 1, seed), POINTED.has(kind) ? point : 0);
        expectAppError(() => parseShare(bytes, asKind as ShareKind, level), ErrorCode.INVALID_CIPHERTEXT, /: kind is \d+, expected \d+/);
      }),
      { numRuns: 40 },
    );
  });

  it('the point field is 0 for unpointed kinds and 1..MAX_POINT for dealt and threshold key shares, in the builder and the parser', () => {
    fc.assert(
      fc.property(share, fc.integer({ min: 0, max: 0xffff }), ({ kind, seed, binding }, point) => {
        const level = levels[1]!;
        const coefficients = seededCoefficients(level, 1, seed);
        const fits = POINTED.has(kind) ? point >= 1 : point === 0;
        if (fits) {
          expect(parseShare(buildShare(kind, level, binding, coefficients, point), kind, level).point).toBe(point);
          return;
        }
        expectAppError(() => buildShare(kind, level, binding, coefficients, point), ErrorCode.INTERNAL, /point/);
        // The same header written by someone else: the parser names the point field.
        const valid = buildShare(kind, level, binding, coefficients, POINTED.has(kind) ? 1 : 0);
        new DataView(valid.buffer, valid.byteOffset).setUint16(6, point, true);
        expectAppError(() => parseShare(valid, kind, level), ErrorCode.INVALID_CIPHERTEXT, /: point is \d+, expected/);
      }),
      { numRuns: 60 },
    );
  });

  it('the builder refuses a binding or coefficient array of the wrong size as a bug (INTERNAL)', () => {
    const level = levels[0]!;
    const coefficients = seededCoefficients(level, 1, new Uint8Array(32));
    fc.assert(
      fc.property(fc.nat({ max: 64 }).filter((n) => n !== 32), fc.nat({ max: 4 * coefficients.length }).filter((n) => n !== coefficients.length), (bindingBytes, words) => {
        expectAppError(() => buildShare(ShareKind.publicKey, level, new Uint8Array(bindingBytes), coefficients), ErrorCode.INTERNAL);
        expectAppError(() => buildShare(ShareKind.publicKey, level, new Uint8Array(32), new Uint32Array(words)), ErrorCode.INTERNAL);
      }),
      { numRuns: 30 },
    );
  });
});
