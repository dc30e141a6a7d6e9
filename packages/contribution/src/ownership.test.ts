import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fund, Ledger, reward } from './ledger.ts';
import { apportion, BASIS_POINTS, formatPercent, ownershipFromLedger, ownershipShares, PERCENT_UNITS } from './ownership.ts';

describe('apportion', () => {
  it('splits 100% three ways exactly, giving the odd unit deterministically', () => {
    // Act
    const units = apportion([1n, 1n, 1n], PERCENT_UNITS);

    // Assert
    expect(units).toEqual([33_333_334n, 33_333_333n, 33_333_333n]);
    expect(units.reduce((a, u) => a + u, 0n)).toBe(PERCENT_UNITS);
  });

  it('gives leftover units to the largest remainders', () => {
    // 10 units by 0.55 / 0.25 / 0.20 of 20: quotas 5.5, 2.5, 2.0 → floors 5, 2, 2, one unit left; 5.5 and 2.5 tie on remainder, the larger weight wins.
    expect(apportion([11n, 5n, 4n], 10n)).toEqual([6n, 2n, 2n]);
    expect(apportion([1n, 0n], 7n)).toEqual([7n, 0n]);
  });

  it('always sums to the total and keeps every share within one unit of its quota (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 1, maxLength: 40 }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (weights, total) => {
        const sum = weights.reduce((a, w) => a + w, 0n);
        fc.pre(sum > 0n);
        const units = apportion(weights, total);
        expect(units.reduce((a, u) => a + u, 0n)).toBe(total);
        units.forEach((u, i) => {
          const floor = (weights[i]! * total) / sum;
          expect(u === floor || u === floor + 1n).toBe(true);
        });
      }),
    );
  });

  it('refuses to apportion by nothing', () => {
    expect(() => apportion([0n, 0n], 10n)).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_STATE }) as Error);
    expect(() => apportion([-1n, 2n], 10n)).toThrow(AppError);
  });
});

describe('ownershipShares', () => {
  it('turns cumulative rewards into shares summing to exactly 100%, listing enrolled sites with nothing', () => {
    // Arrange
    const rewards = new Map([
      ['b', 2n],
      ['a', 1n],
    ]);

    // Act
    const shares = ownershipShares(rewards, { sites: ['c'] });
    const coarse = ownershipShares(rewards, { unitsTotal: BASIS_POINTS });

    // Assert
    expect(shares.map((s) => [s.siteId, formatPercent(s.units)])).toEqual([
      ['a', '33.333333%'],
      ['b', '66.666667%'],
      ['c', '0.000000%'],
    ]);
    expect(coarse.map((s) => formatPercent(s.units, BASIS_POINTS))).toEqual(['33.33%', '66.67%']);
  });

  it('is recomputed from the ledger alone', () => {
    // Arrange
    const ledger = new Ledger();
    ledger.append(fund({ id: 'f', studyId: 'st', amount: 100n }));
    ledger.append(reward({ id: 'r1', studyId: 'st', siteId: 'a', round: 1, amount: 30n }));
    ledger.append(reward({ id: 'r2', studyId: 'st', siteId: 'b', round: 1, amount: 10n }));
    ledger.append(reward({ id: 'r3', studyId: 'st', siteId: 'a', round: 2, amount: 10n }));

    // Act
    const shares = ownershipFromLedger(ledger.entries, 'st');

    // Assert
    expect(shares).toEqual([
      { siteId: 'a', reward: 40n, units: 80_000_000n },
      { siteId: 'b', reward: 10n, units: 20_000_000n },
    ]);
    expect(() => ownershipFromLedger(ledger.entries, 'unknown')).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_STATE }) as Error);
  });

  it('formats exactly and refuses units it cannot print as percent', () => {
    expect(formatPercent(PERCENT_UNITS)).toBe('100.000000%');
    expect(formatPercent(7n)).toBe('0.000007%');
    expect(() => formatPercent(1n, 12_345n)).toThrow(AppError);
  });
});
