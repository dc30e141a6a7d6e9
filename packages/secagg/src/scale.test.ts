import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { checkScaleBits, chooseScaleBits, chunkCount, HEADROOM_BITS, maxEncodableMagnitude, scaleBudgetBits } from './scale.ts';

let ctx: CkksContext;
beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
});
afterAll(() => ctx.dispose());

describe('chooseScaleBits', () => {
  it('keeps bound · 2^scaleBits at most 2^(floor(log2 q) − 1 − HEADROOM_BITS)', () => {
    // q ≈ 2^60 − 2^14: floor(log2 q) = 59, so 2^58 ≤ q/2 and the budget is 56 bits.
    expect(scaleBudgetBits(ctx)).toBe(59 - 1 - HEADROOM_BITS);
    expect(chooseScaleBits(ctx, 64)).toBe(50);
    expect(chooseScaleBits(ctx, 64.0001)).toBe(49);
    expect(chooseScaleBits(ctx, 63.9)).toBe(50);
    expect(chooseScaleBits(ctx, 1)).toBe(56);
    expect(chooseScaleBits(ctx, 2 ** 20)).toBe(36);
    for (const bound of [0.3, 1, 7, 64, 1000, 123456.7]) {
      const bits = chooseScaleBits(ctx, bound);
      expect(bound * 2 ** bits).toBeLessThanOrEqual(2 ** 56);
      if (bits < 56) expect(bound * 2 ** (bits + 1)).toBeGreaterThan(2 ** 56);
    }
  });

  it('never exceeds the budget for small bounds, until precision runs out', () => {
    expect(chooseScaleBits(ctx, 2 ** -5)).toBe(56);
    // Noise per value (either half of a slot) ≈ 2^20 · sqrt(N/2 = 2048) / 2^56 ≈ 2^-30.5: a bound of 2^-12 keeps only 18.5 bits.
    expectAppError(() => chooseScaleBits(ctx, 2 ** -12), ErrorCode.ENCODING_RANGE, /leaves 18\.5 significant bits/);
  });

  it('throws ENCODING_RANGE when the smudging noise leaves fewer than 20 bits', async () => {
    const noisy = await createCkksContext({ ...DEFAULT_PARAMS, smudgingSigmaBits: 32 });
    try {
      const error = expectAppError(() => chooseScaleBits(noisy, 64), ErrorCode.ENCODING_RANGE, /Lower smudgingSigmaBits, add a data prime/);
      expect(error.details).toMatchObject({ bound: 64, scaleBits: 50, smudgingSigmaBits: 32 });
    } finally {
      noisy.dispose();
    }
  });

  it('uses the larger modulus of two data primes', async () => {
    const wide = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [60, 40, 60], smudgingSigmaBits: 35 });
    try {
      expect(scaleBudgetBits(wide)).toBe(96);
      expect(chooseScaleBits(wide, 64)).toBe(90);
    } finally {
      wide.dispose();
    }
  });

  it('rejects a bound that is not a positive finite number', () => {
    for (const bound of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectAppError(() => chooseScaleBits(ctx, bound), ErrorCode.INVALID_INPUT, /positive finite/);
    }
    expectAppError(() => chooseScaleBits(ctx, 2 ** 60), ErrorCode.ENCODING_RANGE);
  });
});

describe('maxEncodableMagnitude and checkScaleBits', () => {
  it('share the budget with chooseScaleBits', () => {
    expect(maxEncodableMagnitude(ctx, 50)).toBe(64);
    expect(maxEncodableMagnitude(ctx, chooseScaleBits(ctx, 1000))).toBeGreaterThanOrEqual(1000);
    expect(() => checkScaleBits(ctx, 56)).not.toThrow();
    for (const bits of [0, 57, 40.5]) expectAppError(() => checkScaleBits(ctx, bits), ErrorCode.INVALID_INPUT, /from 1 to 56/);
  });
});

describe('chunkCount', () => {
  it('counts N values per chunk (two per slot)', () => {
    expect([0, 1, 4096, 4097, 10001].map((length) => chunkCount(ctx, length))).toEqual([0, 1, 1, 2, 3]);
    expectAppError(() => chunkCount(ctx, -1), ErrorCode.INVALID_INPUT);
    expectAppError(() => chunkCount(ctx, 1.5), ErrorCode.INVALID_INPUT);
  });
});
