import { AppError } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import type { Evidence } from './evidence.ts';
import { confirmMisconduct, DEFAULT_SLASH_POLICY, slashAmount } from './misconduct.ts';

const outlier = (siteId: string, round: number): Evidence => ({
  kind: 'metric',
  siteId,
  round,
  reason: 'metric-outlier',
  metric: 'accuracy',
  value: 0.1,
  median: 0.9,
  mad: 0.01,
  reference: 0.9,
  z: -50,
  threshold: 3.5,
});

describe('confirmMisconduct', () => {
  it('does not confirm on a single statistical flag', () => {
    const verdict = confirmMisconduct({ siteId: 's', currentRound: 2, evidence: [outlier('s', 2)] });
    expect(verdict).toMatchObject({ confirmed: false, basis: null, flaggedRounds: [2] });
  });

  it('confirms after flags in 3 of the last 5 rounds, and only counts rounds inside the window', () => {
    // Arrange
    const evidence = [outlier('s', 1), outlier('s', 2), outlier('s', 6), outlier('s', 7), outlier('other', 7)];

    // Act
    const early = confirmMisconduct({ siteId: 's', currentRound: 7, evidence });
    const later = confirmMisconduct({ siteId: 's', currentRound: 8, evidence: [...evidence, outlier('s', 8)] });

    // Assert: rounds 1 and 2 fell out of the window of round 7 (3..7).
    expect(early.confirmed).toBe(false);
    expect(early.flaggedRounds).toEqual([6, 7]);
    expect(later).toMatchObject({ confirmed: true, basis: 'repeated', flaggedRounds: [6, 7, 8] });
    expect(later.evidence.every((e) => e.siteId === 's')).toBe(true);
  });

  it('confirms at once on proof, and not again for evidence already acted on', () => {
    // Arrange
    const proof: Evidence = { kind: 'submission', siteId: 's', round: 4, reason: 'invalid-ciphertext', detail: 'bad modulus' };

    // Act
    const first = confirmMisconduct({ siteId: 's', currentRound: 4, evidence: [proof] });
    const again = confirmMisconduct({ siteId: 's', currentRound: 5, evidence: [proof], afterRound: 4 });

    // Assert
    expect(first).toMatchObject({ confirmed: true, basis: 'proof' });
    expect(again.confirmed).toBe(false);
  });

  it('confirms on a quorum of distinct validators, ignoring self-votes and repeat votes', () => {
    // Arrange: 6 eligible validators, 2/3 quorum = 4 votes.
    const vote = (validatorId: string, round = 3) => ({ validatorId, accusedSiteId: 's', round });
    const three = [vote('v1'), vote('v2'), vote('v2', 2), vote('v3'), vote('s')];

    // Act
    const short = confirmMisconduct({ siteId: 's', currentRound: 3, evidence: [], votes: three, eligibleValidators: 6 });
    const enough = confirmMisconduct({ siteId: 's', currentRound: 3, evidence: [], votes: [...three, vote('v4')], eligibleValidators: 6 });

    // Assert
    expect(short).toMatchObject({ confirmed: false, votes: 3 });
    expect(enough).toMatchObject({ confirmed: true, basis: 'quorum', votes: 4 });
  });

  it('refuses nonsensical options', () => {
    expect(() => confirmMisconduct({ siteId: 's', currentRound: 1, evidence: [] }, { windowRounds: 2, minFlaggedRounds: 3 })).toThrow(AppError);
    expect(() => confirmMisconduct({ siteId: 's', currentRound: 1, evidence: [] }, { quorum: 0 })).toThrow(/quorum/);
  });
});

describe('slashAmount', () => {
  it('takes the policy share of the stake, rounding down so it always fits', () => {
    expect(slashAmount(1_000_000n, DEFAULT_SLASH_POLICY.proof)).toBe(500_000n);
    expect(slashAmount(999n, DEFAULT_SLASH_POLICY.repeated)).toBe(199n);
    expect(slashAmount(0n, 10_000n)).toBe(0n);
    expect(() => slashAmount(10n, 10_001n)).toThrow(AppError);
  });
});
