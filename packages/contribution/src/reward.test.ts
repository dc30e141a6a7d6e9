import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRewardWeights, roundRewards } from './reward.ts';
import type { SiteRoundContribution } from './reward.ts';

const BUDGET = 1_000_000_000n;
const site = (siteId: string, overrides: Partial<SiteRoundContribution> = {}): SiteRoundContribution => ({
  siteId,
  compute: 100,
  data: 100,
  rarity: 1,
  quality: 1,
  validation: 100,
  uptime: 1,
  reputation: 1,
  ...overrides,
});

describe('parseRewardWeights', () => {
  it('fills in the defaults and validates per-study weights', () => {
    expect(parseRewardWeights(undefined)).toEqual({ compute: 0.4, data: 0.4, validation: 0.2 });
    expect(parseRewardWeights({ validation: 0 })).toEqual({ compute: 0.4, data: 0.4, validation: 0 });
    expect(() => parseRewardWeights({ compute: 0, data: 0, validation: 0 })).toThrow(/at least one/);
    expect(() => parseRewardWeights({ compute: -1 })).toThrow(AppError);
    expect(() => parseRewardWeights({ bonus: 1 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }) as Error);
  });
});

describe('roundRewards', () => {
  it('splits the whole budget equally between identical, perfect sites', () => {
    // Act
    const { rewards, distributed, undistributed } = roundRewards(BUDGET, [site('a'), site('b')]);

    // Assert
    expect(rewards.map((r) => r.amount)).toEqual([500_000_000n, 500_000_000n]);
    expect(distributed + undistributed).toBe(BUDGET);
    expect(undistributed).toBe(0n);
  });

  it('scales with reputation and quality, and keeps what is not earned in the pool', () => {
    // Arrange: b is identical but half-reputed; c poisons (quality 0) but validates on time.
    const sites = [site('a'), site('b', { reputation: 0.5 }), site('c', { quality: 0 })];

    // Act
    const { rewards, undistributed } = roundRewards(BUDGET, sites);
    const [a, b, c] = rewards.map((r) => r.amount);

    // Assert
    expect(b).toBe(a! / 2n);
    // c earns only its validation term: 0.2 × 1/3 of the budget.
    expect(Number(c)).toBeCloseTo(Number(BUDGET) * 0.2 / 3, -1);
    expect(undistributed).toBeGreaterThan(0n);
  });

  it('pays rare data more per sample, but not to a site whose quality is gone', () => {
    // Arrange
    const sites = [site('common', { rarity: 0.8 }), site('rare', { rarity: 1.6 }), site('flipped', { rarity: 1.6, quality: 0 })];

    // Act
    const [common, rare, flipped] = roundRewards(BUDGET, sites, { compute: 0, data: 1, validation: 0 }).rewards.map((r) => r.amount);

    // Assert
    expect(Number(rare) / Number(common)).toBeCloseTo(2, 6);
    expect(flipped).toBe(0n);
  });

  it('pays nothing to a forfeited submission', () => {
    expect(roundRewards(BUDGET, [site('a'), site('b', { forfeit: true })]).rewards[1]!.amount).toBe(0n);
  });

  it('never distributes more than the budget, whatever the inputs (property)', () => {
    const contribution = fc.record({
      compute: fc.double({ min: 0, max: 1e12, noNaN: true }),
      data: fc.double({ min: 0, max: 1e6, noNaN: true }),
      rarity: fc.double({ min: 0, max: 10, noNaN: true }),
      quality: fc.double({ min: 0, max: 1, noNaN: true }),
      validation: fc.double({ min: 0, max: 1e4, noNaN: true }),
      uptime: fc.double({ min: 0, max: 1, noNaN: true }),
      reputation: fc.double({ min: 0, max: 1, noNaN: true }),
      forfeit: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(contribution, { minLength: 1, maxLength: 12 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), (sites, budget) => {
        const { rewards, distributed, undistributed } = roundRewards(
          budget,
          sites.map((s, i) => ({ ...s, siteId: `s${i}` })),
        );
        expect(distributed).toBeLessThanOrEqual(budget);
        expect(distributed + undistributed).toBe(budget);
        expect(rewards.every((r) => r.amount >= 0n)).toBe(true);
      }),
    );
  });

  it('refuses malformed rounds', () => {
    expect(() => roundRewards(BUDGET, [site('a'), site('a')])).toThrow(/twice/);
    expect(() => roundRewards(BUDGET, [site('a', { reputation: 2 })])).toThrow(/reputation/);
    expect(() => roundRewards(-1n, [site('a')])).toThrow(/budget/);
  });
});
