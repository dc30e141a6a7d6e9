import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError, maxAbsDifference, mutated, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { addDecryptionShares, decodeAggregate, validateDecryptionShare } from './decryption.ts';
import { encryptVector } from './encryption.ts';
import { createPartialDecryptor, partialDecrypt } from './partial-decryptor.ts';
import { sealHeapBytes } from './seal-module.ts';

const SCALE_BITS = 40;
let ctx: CkksContext;
let ceremony: Ceremony;
let values: Float64Array;
let chunks: Uint8Array[];

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ceremony = runCeremony(ctx, 3, 2);
  values = randomVector(3 * 4096, 64);
  chunks = encryptVector(ctx, ceremony.publicKey, values, SCALE_BITS);
});
afterAll(() => ctx.dispose());

describe('createPartialDecryptor', () => {
  it('weighs the key share once and decrypts any number of chunks, each share with fresh noise', () => {
    const decryptors = [2, 3];
    const [second, third] = decryptors.map((self) => createPartialDecryptor(ctx, ceremony.keyShares[self - 1]!, { self, decryptors }));
    try {
      // Five chunks: noise polynomials come in pairs, so this crosses a pair boundary twice.
      const sequence = [0, 1, 2, 0, 0];
      const shares = sequence.map((chunk) => second!.decrypt(chunks[chunk]!));
      expect(new Set(shares.map((share) => Buffer.from(share).toString('base64'))).size).toBe(5);
      sequence.forEach((chunk, i) => {
        validateDecryptionShare(ctx, shares[i]!, { aggregate: chunks[chunk]!, decryptors });
        const sum = addDecryptionShares(ctx, shares[i]!, third!.decrypt(chunks[chunk]!));
        const decoded = decodeAggregate(ctx, chunks[chunk]!, sum, decryptors);
        expect(maxAbsDifference(decoded, values.subarray(chunk * 4096, (chunk + 1) * 4096))).toBeLessThan(1e-3);
      });
    } finally {
      second!.dispose();
      third!.dispose();
    }
  });

  it('partialDecrypt is the one-chunk shorthand', () => {
    const decryptors = [1, 2];
    const shares = decryptors.map((self) => partialDecrypt(ctx, ceremony.keyShares[self - 1]!, chunks[1]!, { self, decryptors }));
    const decoded = decodeAggregate(ctx, chunks[1]!, addDecryptionShares(ctx, shares[0]!, shares[1]!), decryptors);
    expect(maxAbsDifference(decoded, values.subarray(4096, 8192))).toBeLessThan(1e-3);
  });

  it('refuses a bad decryptor set, or a key share of another point or kind', () => {
    const share = ceremony.keyShares[0]!;
    const reject = (opts: { self: number; decryptors: number[] }, message: RegExp): void => {
      expectAppError(() => createPartialDecryptor(ctx, share, opts), ErrorCode.INVALID_INPUT, message);
    };
    reject({ self: 1, decryptors: [2, 3] }, /self \(point 1\) is not one of the decryptors/);
    reject({ self: 1, decryptors: [] }, /at least one/);
    reject({ self: 1, decryptors: [1, 2, 1] }, /lists point 1 twice/);
    reject({ self: 1, decryptors: [1, 0] }, /decryptors\[1\] must be an integer committee point/);
    reject({ self: 1, decryptors: [1, 2.5] }, /committee point/);
    reject({ self: 1, decryptors: [1, 65536] }, /from 1 to 65535/);
    reject({ self: 2, decryptors: [1, 2] }, /belongs to point 1, not to self \(point 2\)/);
    expectAppError(() => createPartialDecryptor(ctx, ceremony.secretShares[0]!, { self: 1, decryptors: [1] }), ErrorCode.INVALID_CIPHERTEXT, /magic/);
    expectAppError(() => createPartialDecryptor(ctx, ceremony.dealt[0]![0]!, { self: 1, decryptors: [1] }), ErrorCode.INVALID_CIPHERTEXT, /got dealt key share/);
  });

  it('refuses a malformed aggregate before decrypting', () => {
    const decryptor = createPartialDecryptor(ctx, ceremony.keyShares[0]!, { self: 1, decryptors: [1, 2] });
    try {
      const aggregate = chunks[0]!;
      expectAppError(() => decryptor.decrypt(aggregate.subarray(0, 500)), ErrorCode.INVALID_CIPHERTEXT, /aggregate ciphertext: header\.size/);
      expectAppError(() => decryptor.decrypt(mutated(aggregate, (view) => view.setUint8(48, 0))), ErrorCode.INVALID_CIPHERTEXT, /is_ntt_form/);
      expectAppError(() => decryptor.decrypt(ceremony.publicKey), ErrorCode.INVALID_CIPHERTEXT, /parms_id/);
    } finally {
      decryptor.dispose();
    }
  });

  it('is unusable after dispose, dispose is idempotent, and decryptors leave the heap as it was', () => {
    const make = (): void => {
      const decryptor = createPartialDecryptor(ctx, ceremony.keyShares[0]!, { self: 1, decryptors: [1, 3] });
      decryptor.decrypt(chunks[0]!);
      decryptor.dispose();
      decryptor.dispose();
      expectAppError(() => decryptor.decrypt(chunks[0]!), ErrorCode.INVALID_INPUT, /disposed/);
    };
    make();
    const heapBefore = sealHeapBytes();
    for (let i = 0; i < 30; i++) make();
    expect(sealHeapBytes()).toBe(heapBefore);
  });
});
