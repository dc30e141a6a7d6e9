import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, decryptWithJointKey, expectAppError, maxAbsDifference, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { addCiphertexts, validateCiphertext } from './aggregation.ts';
import { createCkksContext, internalsOf } from './context.ts';
import type { CkksContext } from './context.ts';
import { encryptVector } from './encryption.ts';
import { saveUncompressed, withSealScope } from './seal-call.ts';

const SCALE_BITS = 50;
let ctx: CkksContext;
let ceremony: Ceremony;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 2);
});
afterAll(() => ctx.dispose());

function sealSum(a: Uint8Array, b: Uint8Array): Uint8Array {
  const { seal, context, evaluator } = internalsOf(ctx);
  return withSealScope((scope) => {
    const left = scope.add(new seal.Ciphertext());
    left.loadFromArray(context, a);
    const right = scope.add(new seal.Ciphertext());
    right.loadFromArray(context, b);
    evaluator.addInplace(left, right);
    return saveUncompressed(seal, left);
  });
}

describe('addCiphertexts', () => {
  it("produces exactly SEAL's sum, which decrypts to the sum of the values", () => {
    const x = randomVector(4096, 32);
    const y = randomVector(4096, 32);
    const [a] = encryptVector(ctx, ceremony.publicKey, x, SCALE_BITS);
    const [b] = encryptVector(ctx, ceremony.publicKey, y, SCALE_BITS);
    const aCopy = new Uint8Array(a!);
    const sum = addCiphertexts(ctx, a!, b!);
    expect(sum).toEqual(sealSum(a!, b!));
    expect(a).toEqual(aCopy);
    validateCiphertext(ctx, sum, { scaleBits: SCALE_BITS });
    const expected = x.map((v, i) => v + y[i]!);
    expect(maxAbsDifference(decryptWithJointKey(ctx, ceremony.secretShares, sum), expected)).toBeLessThan(1e-9);
  });

  it('accumulates many submissions, from unaligned buffers too', () => {
    const submissions = Array.from({ length: 5 }, () => encryptVector(ctx, ceremony.publicKey, randomVector(100, 10), SCALE_BITS)[0]!);
    const unaligned = submissions.map((bytes): Uint8Array => {
      const shifted = new Uint8Array(bytes.length + 3).subarray(3);
      shifted.set(bytes);
      return shifted;
    });
    const ours = unaligned.slice(1).reduce((acc, next) => addCiphertexts(ctx, acc, next), unaligned[0]!);
    const seals = submissions.slice(1).reduce((acc, next) => sealSum(acc, next), submissions[0]!);
    expect(ours).toEqual(seals);
  });

  it('refuses ciphertexts of another size or with other metadata', () => {
    const [a] = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), SCALE_BITS);
    const [otherScale] = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), SCALE_BITS - 1);
    expectAppError(() => addCiphertexts(ctx, a!, otherScale!), ErrorCode.INVALID_INPUT, /metadata differ at byte 7\d/);
    expectAppError(() => addCiphertexts(ctx, a!, a!.subarray(1)), ErrorCode.INVALID_INPUT, /65649-byte/);
  });
});

describe('validateCiphertext', () => {
  it('checks the expected scale and takes the scale bits as an argument to check', () => {
    const [a] = encryptVector(ctx, ceremony.publicKey, Float64Array.of(1), SCALE_BITS);
    validateCiphertext(ctx, a!, { scaleBits: SCALE_BITS });
    expectAppError(() => validateCiphertext(ctx, a!, { scaleBits: 38 }), ErrorCode.INVALID_CIPHERTEXT, /scale/);
    expectAppError(() => validateCiphertext(ctx, a!, { scaleBits: 99 }), ErrorCode.INVALID_INPUT, /scaleBits/);
  });
});
