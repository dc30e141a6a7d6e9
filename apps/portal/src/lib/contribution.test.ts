import { describe, expect, it } from 'vitest';
import {
  evidenceByRound,
  evidenceSentence,
  formatCredits,
  formatMetricValue,
  formatScore,
  formatShare,
  isPositiveAmount,
  latestSettledRound,
  reasonLabel,
  shareChartRows,
  sumMicro,
  type ContributionEvidence,
  type SettledRound,
} from './contribution.ts';

const flipper: ContributionEvidence = {
  kind: 'metric',
  siteId: 'site-f',
  siteName: 'flipper',
  round: 2,
  reason: 'metric-outlier',
  metric: 'auc',
  value: 0.23,
  median: 0.81,
  mad: 0.02,
  reference: 0.81,
  z: -9.4,
  threshold: 3.5,
};
const inflater: ContributionEvidence = {
  kind: 'submission',
  siteId: 'site-i',
  siteName: 'inflater',
  round: 1,
  reason: 'claim-exceeds-declared',
  detail: 'samples 1200 exceeds the declared dataset size 300',
  claimed: 1200,
  limit: 300,
};

describe('credits (micro-credit strings, BigInt only)', () => {
  it('shows whole credits with at least two and at most six decimals, exactly', () => {
    expect(formatCredits('0')).toBe('0.00');
    expect(formatCredits('1000000')).toBe('1.00');
    expect(formatCredits('500000')).toBe('0.50');
    expect(formatCredits('1')).toBe('0.000001');
    expect(formatCredits('1234567890')).toBe('1,234.56789');
    expect(formatCredits('3333333333')).toBe('3,333.333333');
    expect(formatCredits(10_000_000_000n)).toBe('10,000.00');
    expect(formatCredits('-2500000')).toBe('−2.50');
  });

  it('keeps every digit of amounts beyond 2^53 (a float would round them)', () => {
    // 2^53 + 1 micro-credits: Number("9007199254740993") is 9007199254740992.
    expect(formatCredits('9007199254740993')).toBe('9,007,199,254.740993');
    expect(formatCredits('123456789012345678901234567')).toBe('123,456,789,012,345,678,901.234567');
    expect(sumMicro(['9007199254740993', '1', '2'])).toBe(9007199254740996n);
  });

  it('refuses what is not an integer string instead of guessing', () => {
    expect(formatCredits('1.5')).toBe('—');
    expect(formatCredits('1e6')).toBe('—');
    expect(formatCredits('')).toBe('—');
    expect(sumMicro(['10', 'x'])).toBe(10n);
    expect(isPositiveAmount('0')).toBe(false);
    expect(isPositiveAmount('7')).toBe(true);
    expect(isPositiveAmount('-7')).toBe(false);
  });
});

describe('shares and scores', () => {
  it('shows the hub\'s exact share, dropping only trailing zeros', () => {
    expect(formatShare('33.333334%')).toBe('33.333334 %');
    expect(formatShare('50.000000%')).toBe('50 %');
    expect(formatShare('0.000000%')).toBe('0 %');
    expect(formatShare('12.500000%')).toBe('12.5 %');
    expect(formatShare('n/a')).toBe('n/a');
  });

  it('turns the share history into chart rows (one numeric key per site; missing sites at 0)', () => {
    const rows = shareChartRows(
      [
        { round: 1, shares: { a: '60.000000%', b: '40.000000%' } },
        { round: 2, shares: { a: '55.555556%' } },
      ],
      ['a', 'b'],
    );
    expect(rows).toEqual([
      { round: 1, a: 60, b: 40 },
      { round: 2, a: 55.555556, b: 0 },
    ]);
  });

  it('formats scores compactly', () => {
    expect(formatScore(0.5)).toBe('0.5');
    expect(formatScore(0.123456)).toBe('0.123');
    expect(formatScore(1)).toBe('1');
    expect(formatScore(1_234_567)).toBe('1.23M');
    expect(formatScore(Number.NaN)).toBe('—');
    expect(formatScore(null)).toBe('—');
    expect(formatMetricValue(0.81234)).toBe('0.812');
    expect(formatMetricValue(0.23)).toBe('0.23');
    expect(formatMetricValue(12.345)).toBe('12.3');
  });
});

describe('evidence in plain words', () => {
  it('says how far a metric was from the median, on the robust scale, and the threshold', () => {
    expect(evidenceSentence(flipper)).toBe('Round 2 — flipper: AUC 0.23 is 9.4 robust SDs from the median 0.81 (threshold 3.5)');
  });

  it('quotes a claim that exceeds the site\'s own declaration', () => {
    expect(evidenceSentence(inflater)).toBe('Round 1 — inflater: samples 1200 exceeds the declared dataset size 300');
    expect(reasonLabel(inflater.reason)).toBe('Claim exceeds what the site declared');
  });

  it('explains disagreement with the consortium value, participation harm and consortium-wide evidence', () => {
    expect(evidenceSentence({ ...flipper, reason: 'aggregate-disagreement', reference: 0.79, z: 6.04 })).toBe(
      'Round 2 — flipper: AUC 0.23 is 6.04 robust SDs from the consortium\'s value 0.79 (threshold 3.5)',
    );
    expect(evidenceSentence({ ...flipper, reason: 'participation-harm', metric: 'participation-impact', value: -0.04, reference: 0.01, z: -4.2, round: 5 })).toBe(
      'Round 5 — flipper: participation impact -0.04 is 4.2 robust SDs from the median 0.01 (threshold 3.5): rounds with this site improved the global model less than rounds without it',
    );
    const mismatch: ContributionEvidence = {
      kind: 'submission',
      siteId: null,
      siteName: null,
      round: 0,
      reason: 'histogram-sum-mismatch',
      detail: 'signed counts add up to [10, 5], the encrypted aggregate is [10, 6]',
    };
    expect(evidenceSentence(mismatch)).toBe('Round 0 — consortium-wide: signed counts add up to [10, 5], the encrypted aggregate is [10, 6]');
    expect(reasonLabel('something-new')).toBe('something new');
  });

  it('groups evidence by round, latest first', () => {
    expect(evidenceByRound([inflater, flipper, { ...inflater, round: 2 }]).map((g) => [g.round, g.items.length])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });
});

describe('rounds', () => {
  it('finds the latest settled round', () => {
    const round = (n: number): SettledRound => ({ round: n, modelVersionId: null, settledAt: '2026-11-25T10:00:00Z', records: [] });
    expect(latestSettledRound([])).toBeNull();
    expect(latestSettledRound([round(1), round(3), round(2)])?.round).toBe(3);
  });
});
