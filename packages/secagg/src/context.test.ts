import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext, internalsOf, rnsLevels } from './context.ts';
import type { CkksParameters } from './parameters.ts';
import { chunkCount } from './scale.ts';
import { sealHeapBytes } from './seal-module.ts';

async function expectRejected(params: CkksParameters, message: RegExp): Promise<void> {
  const error: unknown = await createCkksContext(params).then(
    (ctx) => {
      ctx.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expectAppError(() => {
    throw error;
  }, ErrorCode.INVALID_INPUT, message);
}

describe('createCkksContext', () => {
  it('describes the default parameters', async () => {
    const ctx = await createCkksContext(DEFAULT_PARAMS);
    try {
      expect(ctx.params).toEqual(DEFAULT_PARAMS);
      expect(ctx.params).not.toBe(DEFAULT_PARAMS);
      expect(ctx.valuesPerChunk).toBe(4096);
      expect(ctx.ciphertextBytes).toBe(113 + 2 * 4096 * 8);
      expect(ctx.decryptionShareBytes).toBe(80 + 4096 * 8);
      expect(ctx.dataModuli).toHaveLength(1);
      expect(ctx.keyModuli).toHaveLength(2);
      expect(ctx.keyModuli[0]).toBe(ctx.dataModuli[0]);
      const { key } = rnsLevels(ctx);
      expect(key.primes.map((p) => p.value)).toEqual(ctx.keyModuli);
    } finally {
      ctx.dispose();
    }
  });

  it('supports N=8192 with two data primes', async () => {
    const ctx = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [60, 40, 60], smudgingSigmaBits: 30 });
    try {
      expect(ctx.valuesPerChunk).toBe(8192);
      expect(ctx.dataModuli.map((q) => q.toString(2).length)).toEqual([60, 40]);
      expect(ctx.keyModuli).toHaveLength(3);
      expect(ctx.ciphertextBytes).toBe(113 + 2 * 2 * 8192 * 8);
      expect(chunkCount(ctx, 16385)).toBe(3);
    } finally {
      ctx.dispose();
    }
  });

  it('rejects malformed parameters, naming the field', async () => {
    await expectRejected({ ...DEFAULT_PARAMS, polyModulusDegree: 2048 as 4096 }, /polyModulusDegree: must be 4096 or 8192/);
    await expectRejected({ ...DEFAULT_PARAMS, coeffModulusBits: [60] }, /coeffModulusBits: must list 2 to 4/);
    await expectRejected({ ...DEFAULT_PARAMS, coeffModulusBits: [60, 61] }, /coeffModulusBits\[1\]/);
    await expectRejected({ ...DEFAULT_PARAMS, smudgingSigmaBits: 41 }, /smudgingSigmaBits/);
    await expectRejected({ ...DEFAULT_PARAMS, smudgingSigmaBits: 2.5 }, /smudgingSigmaBits/);
  });

  it('rejects parameters below 128-bit security', async () => {
    await expectRejected({ ...DEFAULT_PARAMS, coeffModulusBits: [60, 50] }, /total 110 bits, above the 109 that N=4096 allows/);
    await expectRejected({ ...DEFAULT_PARAMS, polyModulusDegree: 8192, coeffModulusBits: [60, 60, 60, 60] }, /240 bits, above the 218/);
  });

  it('frees its SEAL objects: create/dispose cycles do not grow the heap', async () => {
    (await createCkksContext(DEFAULT_PARAMS)).dispose();
    const before = sealHeapBytes();
    // About 150 ms each (two SEALContexts precompute their NTT tables).
    for (let i = 0; i < 12; i++) (await createCkksContext(DEFAULT_PARAMS)).dispose();
    expect(sealHeapBytes()).toBe(before);
  }, 20_000);

  it('is unusable after dispose, and dispose is idempotent', async () => {
    const ctx = await createCkksContext(DEFAULT_PARAMS);
    expect(() => internalsOf(ctx)).not.toThrow();
    ctx.dispose();
    ctx.dispose();
    expectAppError(() => internalsOf(ctx), ErrorCode.INVALID_INPUT, /disposed/);
    expectAppError(() => rnsLevels(ctx), ErrorCode.INVALID_INPUT, /disposed/);
  });
});
