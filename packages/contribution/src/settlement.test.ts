import { describe, expect, it } from 'vitest';
import { Ledger, MICRO_PER_CREDIT } from './ledger.ts';
import { openContribution, settleRound, UNCHECKABLE_QUALITY, type ContributionPolicy, type ContributionState, type SiteRoundInput } from './settlement.ts';

const POLICY: ContributionPolicy = {
  limits: { maxEpochs: 2, operationsPerSample: 60, maxValidationSamples: 100 },
  weights: { compute: 0.4, data: 0.4, validation: 0.2 },
  budgetPerRound: 1_000n * MICRO_PER_CREDIT,
  stake: 100n * MICRO_PER_CREDIT,
  validation: { metrics: ['auc'], minScale: { auc: 0.05 } },
};
const SITES = ['a', 'b', 'c', 'd', 'e'];

function open(sites = SITES, counts: Record<string, number[]> = {}): { state: ContributionState; ledger: Ledger } {
  const ledger = new Ledger();
  const opened = openContribution({
    studyId: 's',
    rounds: 20,
    aggregateLabelCounts: [sites.length * 80, sites.length * 20],
    sites: sites.map((siteId) => ({ siteId, declaration: { datasetSize: 100, heldOutSize: 50 }, labelCounts: counts[siteId] ?? [80, 20] })),
    policy: POLICY,
  });
  for (const entry of opened.entries) ledger.append(entry);
  return { state: opened.state, ledger };
}

const honest = (siteId: string, auc: number | null, submitted = true): SiteRoundInput => ({
  siteId,
  asked: true,
  submitted,
  claim: { samples: 100, epochs: 2 },
  report: { metrics: auc === null ? {} : { auc }, evaluatedSamples: 50 },
});

describe('settleRound', () => {
  it('flags a site whose participation keeps making the consortium model worse, once participation varies enough to tell', () => {
    const opened = open();
    const { ledger } = opened;
    let { state } = opened;
    let auc = 0.6;
    const flaggedAt: number[] = [];
    for (let round = 1; round <= 15; round++) {
      // Three of five sites per round, rotating; every honest participant helps, `e` hurts.
      const inRound = new Set([0, 1, 2].map((k) => SITES[(round + k) % SITES.length]!));
      auc += [...inRound].reduce((sum, id) => sum + (id === 'e' ? -0.03 : 0.01), 0);
      const settled = settleRound(state, { studyId: 's', round, ledger, policy: POLICY, sites: SITES.map((id) => honest(id, auc, inRound.has(id))) });
      for (const entry of settled.entries) ledger.append(entry);
      state = settled.state;
      if (settled.evidence.some((e) => e.siteId === 'e' && e.reason === 'participation-harm')) flaggedAt.push(round);
      expect(settled.evidence.filter((e) => e.siteId !== 'e')).toEqual([]);
    }
    expect(flaggedAt.length).toBeGreaterThanOrEqual(3);
    expect(state.sites['e']!.excluded).toBe(true);
    expect(state.outcomes).toHaveLength(14);
  });

  it('does not measure participation when every site is in every round', () => {
    const opened = open();
    const { ledger } = opened;
    let { state } = opened;
    for (let round = 1; round <= 8; round++) {
      const settled = settleRound(state, { studyId: 's', round, ledger, policy: POLICY, sites: SITES.map((id) => honest(id, 0.6 + 0.01 * round)) });
      for (const entry of settled.entries) ledger.append(entry);
      state = settled.state;
      expect(settled.evidence).toEqual([]);
    }
  });

  it('pays no validation and caps quality for a report that leaves out a checked metric', () => {
    const { state, ledger } = open();
    const settled = settleRound(state, { studyId: 's', round: 1, ledger, policy: POLICY, sites: [honest('a', 0.8), honest('b', 0.81), honest('c', 0.79), honest('d', 0.8), honest('e', null)] });
    const record = (id: string) => settled.records.find((r) => r.siteId === id)!;
    expect(record('e')).toMatchObject({ reported: true, validation: 0, quality: UNCHECKABLE_QUALITY });
    expect(record('a').validation).toBeGreaterThan(0);
    expect(BigInt(record('e').rewardMicro)).toBeLessThan(BigInt(record('a').rewardMicro));
    expect(settled.evidence).toEqual([]);
  });

  it('pays rarity to nobody when the signed label counts do not add up to the encrypted aggregate', () => {
    const { state } = open(SITES, { a: [60, 40] });
    expect(state.evidence).toContainEqual(expect.objectContaining({ reason: 'histogram-sum-mismatch', siteId: null }));
    for (const id of SITES) expect(state.sites[id]!.rarity).toBe(1);
  });

  it('settles rounds only in order', () => {
    const { state, ledger } = open();
    expect(() => settleRound(state, { studyId: 's', round: 2, ledger, policy: POLICY, sites: [] })).toThrow(/round 2 follows round 0/);
  });
});
