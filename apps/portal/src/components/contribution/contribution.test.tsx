import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../test/table-rows.ts';
import type { ContributionEvidence, SiteContribution, SiteRoundRecord } from '../../lib/contribution.ts';
import { EvidenceList } from './evidence-list.tsx';
import { OwnershipTable } from './ownership-table.tsx';
import { RoundRecordsTable } from './round-records-table.tsx';

const site = (over: Partial<SiteContribution>): SiteContribution => ({
  siteId: 'a',
  siteName: 'Northgate',
  shareUnits: '0',
  sharePercent: '0.000000%',
  rewardMicro: '0',
  stakeMicro: '1000000000',
  slashedMicro: '0',
  reputation: 0.5,
  rarity: 1,
  quality: 1,
  declaredRows: 300,
  declaredHeldOut: 60,
  flags: 0,
  excluded: false,
  ...over,
});

describe('contribution components', () => {
  it('ownership: exact shares, credits, stake, slashes, an excluded badge and totals', () => {
    const html = renderToStaticMarkup(
      <OwnershipTable
        earned
        sites={[
          site({ siteId: 'a', siteName: 'Northgate', shareUnits: '66666667', sharePercent: '66.666667%', rewardMicro: '6666666667', flags: 0 }),
          site({ siteId: 'b', siteName: 'Inflater', shareUnits: '33333333', sharePercent: '33.333333%', rewardMicro: '3333333333', stakeMicro: '500000000', slashedMicro: '500000000', flags: 2, excluded: true }),
        ]}
      />,
    );
    expect(rowsOf(html)).toEqual([
      ['Northgate 300 rows declared', '66.666667 %', '6,666.666667', '1,000.00', '0.00', '0.5', '1', '0'],
      ['Inflater Excluded 300 rows declared', '33.333333 %', '3,333.333333', '500.00', '500.00', '0.5', '1', '2 (see the evidence)'],
    ]);
    expect(rowsOf(html, 'tfoot')[0]?.slice(0, 5)).toEqual(['Total', '100 %', '10,000.00', '1,500.00', '500.00']);
    expect(html).toContain('data-share-units="66666667"');
    expect(html).toContain('<caption');
  });

  it('ownership before any reward: no shares yet', () => {
    const html = renderToStaticMarkup(<OwnershipTable earned={false} sites={[site({})]} />);
    expect(rowsOf(html)[0]?.[1]).toBe('—');
  });

  it('round records: components, pay and why a site earned less', () => {
    const record: SiteRoundRecord = {
      siteId: 'b',
      siteName: 'Inflater',
      round: 3,
      asked: true,
      submitted: true,
      reported: false,
      compute: 1_234_567,
      data: 240,
      rarity: 1.2,
      quality: 0.8,
      validation: 0,
      uptime: 1,
      reputation: 0.31,
      forfeit: true,
      rewardMicro: '0',
      slashedMicro: '250000000',
      misconduct: 'proof',
      evidence: [],
      metrics: { auc: 0.8123 },
    };
    const html = renderToStaticMarkup(<RoundRecordsTable round={3} records={[record]} captionId="c" />);
    expect(rowsOf(html)).toEqual([
      ['Inflater', '1.23M', '240', '1.2', '0.8', '0', '1', '0.31', '0.00', '250.00', 'AUC 0.812', 'Misconduct proven by its own signed data No validation report Reward forfeited'],
    ]);
  });

  it('evidence: a sentence with the numbers, latest round first, and an empty state', () => {
    const evidence: ContributionEvidence[] = [
      { kind: 'submission', siteId: 'b', siteName: 'inflater', round: 1, reason: 'claim-exceeds-declared', detail: 'samples 1200 exceeds the declared dataset size 300', claimed: 1200, limit: 300 },
      { kind: 'metric', siteId: 'c', siteName: 'flipper', round: 2, reason: 'metric-outlier', metric: 'auc', value: 0.23, median: 0.81, mad: 0.02, reference: 0.81, z: -9.4, threshold: 3.5 },
    ];
    const text = renderToStaticMarkup(<EvidenceList evidence={evidence} />)
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(text.indexOf('Round 2 — flipper: AUC 0.23 is 9.4 robust SDs from the median 0.81 (threshold 3.5)')).toBeGreaterThan(-1);
    expect(text.indexOf('Round 1 — inflater: samples 1200 exceeds the declared dataset size 300')).toBeGreaterThan(text.indexOf('Round 2'));
    expect(renderToStaticMarkup(<EvidenceList evidence={[]} />)).toContain('No anomalies flagged.');
  });
});
