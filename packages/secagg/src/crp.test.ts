import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { crpSeedBinding, expandCrp } from './crp.ts';
import { firstUnreducedCoefficient } from './rns.ts';
import type { RnsLevel } from './rns.ts';
import { asBigUint64 } from './words.ts';

let ctx: CkksContext;
let keyLevel: RnsLevel;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  keyLevel = rnsLevels(ctx).key;
});
afterAll(() => ctx.dispose());

const seed = (): Uint8Array => new Uint8Array(randomBytes(32));

describe('expandCrp', () => {
  it('is deterministic in the seed and differs across seeds', () => {
    const s = seed();
    const a = expandCrp(keyLevel, s);
    expect(expandCrp(keyLevel, new Uint8Array(s))).toEqual(a);
    const other = expandCrp(keyLevel, seed());
    expect(other).not.toEqual(a);
    const equalWords = a.filter((word, i) => word === other[i]).length;
    expect(equalWords).toBeLessThan(10);
  });

  it('pins the expansion: every party, in every version, must derive the same polynomial', () => {
    // Cross-checked with Python's hashlib.shake_256 over the documented input layout.
    const a = asBigUint64(expandCrp(keyLevel, Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(a.length).toBe(2 * 4096);
    expect([a[0], a[1], a[4096], a[4097]]).toEqual([77310890930316102n, 1142728867538043615n, 483030001214522n, 262239025910948n]);
  });

  it('is below each prime and roughly uniform', () => {
    const a = expandCrp(keyLevel, seed());
    expect(firstUnreducedCoefficient(a, keyLevel.primes, 4096)).toBe(-1);
    keyLevel.primes.forEach((prime, j) => {
      const q = Number(prime.value);
      let sum = 0;
      let top = 0;
      for (let k = 0; k < 4096; k++) {
        const value = (a[2 * (j * 4096 + k) + 1]! * 2 ** 32 + a[2 * (j * 4096 + k)]!) / q;
        sum += value;
        if (value > 0.9) top++;
      }
      // Uniform on [0, 1): mean 0.5 ± 0.0045 (1 standard error); 10 % above 0.9.
      expect(sum / 4096).toBeGreaterThan(0.48);
      expect(sum / 4096).toBeLessThan(0.52);
      expect(top / 4096).toBeGreaterThan(0.08);
      expect(top / 4096).toBeLessThan(0.12);
    });
  });

  it('draws each prime from its own stream', () => {
    const a = expandCrp(keyLevel, seed());
    const q1 = keyLevel.primes[1]!.value;
    const firstBlockReduced = Array.from({ length: 16 }, (_, k) => (BigInt(a[2 * k + 1]!) * 2n ** 32n + BigInt(a[2 * k]!)) % q1);
    const secondBlock = Array.from({ length: 16 }, (_, k) => BigInt(a[2 * (4096 + k) + 1]!) * 2n ** 32n + BigInt(a[2 * (4096 + k)]!));
    expect(secondBlock).not.toEqual(firstBlockReduced);
  });

  it('rejects a seed that is not 32 bytes', () => {
    expectAppError(() => expandCrp(keyLevel, new Uint8Array(31)), ErrorCode.INVALID_INPUT, /32 bytes/);
    expectAppError(() => crpSeedBinding(new Uint8Array(33)), ErrorCode.INVALID_INPUT, /32 bytes/);
  });
});

describe('crpSeedBinding', () => {
  it('is a 32-byte digest that differs across seeds and from the seed itself', () => {
    const s = seed();
    expect(crpSeedBinding(s)).toHaveLength(32);
    expect(crpSeedBinding(s)).toEqual(crpSeedBinding(new Uint8Array(s)));
    expect(crpSeedBinding(s)).not.toEqual(crpSeedBinding(seed()));
    expect(crpSeedBinding(s)).not.toEqual(s);
  });
});
