/**
 * The whole pipeline on a simulated consortium (test/scenario.ts): real local training, real
 * validation metrics, and every flag, reward, slash and share computed by this package's functions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, SITES, STUDY } from '../test/scenario.ts';
import type { ScenarioResult, SiteName } from '../test/scenario.ts';
import { accounts, EXTERNAL, MICRO_PER_CREDIT, replay } from './ledger.ts';
import { ownershipShares, PERCENT_UNITS } from './ownership.ts';

let result: ScenarioResult;
const units = (site: SiteName) => result.shares.find((s) => s.siteId === site)!.units;

beforeAll(() => {
  // Arrange / Act: eight rounds of the study.
  result = runScenario(8);
});

describe('scenario: six sites, eight rounds', () => {
  it('flags the label flipper and the sample-count inflater within 5 rounds, and slashes both', () => {
    // Assert
    expect(result.firstFlagged.get('flipper')).toBeLessThanOrEqual(5);
    expect(result.firstFlagged.get('inflater')).toBeLessThanOrEqual(5);
    const flipperEvidence = result.rounds.flatMap((r) => r.evidence).filter((e) => e.siteId === 'flipper');
    expect(flipperEvidence.some((e) => e.reason === 'metric-outlier')).toBe(true);
    const inflaterEvidence = result.rounds.flatMap((r) => r.evidence).filter((e) => e.siteId === 'inflater');
    expect(inflaterEvidence.some((e) => e.reason === 'claim-exceeds-declared')).toBe(true);
    const firstSlash = (site: SiteName) => result.rounds.find((r) => r.slashed.has(site))?.round;
    expect(firstSlash('flipper')).toBeLessThanOrEqual(5);
    expect(firstSlash('inflater')).toBeLessThanOrEqual(5);
    expect(result.ledger.balance(accounts.stake(STUDY, 'flipper'))).toBeLessThan(1_000n * MICRO_PER_CREDIT);
    expect(result.ledger.balance(accounts.stake(STUDY, 'inflater'))).toBeLessThan(1_000n * MICRO_PER_CREDIT);
  });

  it('flags no honest site (the rare-data site included) and slashes nobody else', () => {
    for (const site of ['large', 'rare', 'freerider', 'unreliable'] as const) {
      expect(result.firstFlagged.has(site)).toBe(false);
      expect(result.ledger.balance(accounts.stake(STUDY, site))).toBe(1_000n * MICRO_PER_CREDIT);
    }
  });

  it('leaves the poisoning and inflating sites with the two lowest shares', () => {
    // Assert
    const ranked = [...result.shares].sort((a, b) => (a.units < b.units ? -1 : a.units > b.units ? 1 : 0)).map((s) => s.siteId);
    expect(new Set(ranked.slice(0, 2))).toEqual(new Set(['flipper', 'inflater']));
    for (const honest of ['large', 'rare', 'freerider', 'unreliable'] as const) {
      expect(units(honest)).toBeGreaterThan(units('flipper'));
      expect(units(honest)).toBeGreaterThan(units('inflater'));
    }
  });

  it("pays the rare-data site more than its share of the samples", () => {
    // Assert: its ownership share exceeds its share of the credited training samples of the honest sites.
    const honest = ['large', 'rare', 'freerider', 'unreliable'] as const;
    const samples = honest.reduce((a, s) => a + result.creditedSamples.get(s)!, 0);
    const sampleShare = result.creditedSamples.get('rare')! / samples;
    const ownership = Number(units('rare')) / Number(PERCENT_UNITS);
    expect(result.rarity.get('rare')).toBeGreaterThan(1);
    expect(ownership).toBeGreaterThan(sampleShare);
  });

  it('pays the unreliable site less than the equally sized reliable one, overall and per round it made', () => {
    // Assert
    expect(result.cumulativeReward.get('unreliable')).toBeLessThan(result.cumulativeReward.get('large')!);
    expect(units('unreliable')).toBeLessThan(units('large'));
    const lastRound = result.rounds.at(-1)!;
    expect(lastRound.reputation.get('unreliable')).toBeLessThan(lastRound.reputation.get('large')!);
    // In every round it delivered after its first miss (3, 5, 7), lower uptime and reputation cost it.
    for (const round of [3, 5, 7]) {
      const log = result.rounds[round - 1]!;
      expect(log.rewards.get('unreliable')).toBeGreaterThan(0n);
      expect(log.rewards.get('unreliable')).toBeLessThan(log.rewards.get('large')!);
    }
  });

  it('bounds the free rider: it is paid for validation service, barely for its near-zero training', () => {
    expect(result.creditedSamples.get('freerider')).toBeLessThan(result.creditedSamples.get('rare')! / 10);
    expect(units('freerider')).toBeLessThan(units('rare'));
    expect(units('freerider')).toBeLessThan(units('unreliable'));
  });

  it('keeps the ledger consistent: zero-sum balances, 100% shares, reproduced by replay', () => {
    // Act
    const replayed = replay(result.ledger.entries);

    // Assert
    expect([...replayed.balances.values()].reduce((a, b) => a + b, 0n)).toBe(0n);
    expect(result.shares.reduce((a, s) => a + s.units, 0n)).toBe(PERCENT_UNITS);
    expect(ownershipShares(replayed.cumulativeRewards.get(STUDY)!, { sites: SITES })).toEqual(result.shares);
    // Everything paid came out of the pool; nothing was created.
    const paid = [...replayed.cumulativeRewards.get(STUDY)!.values()].reduce((a, b) => a + b, 0n);
    const slashed = replayed.balances.get(accounts.slashed(STUDY)) ?? 0n;
    expect(replayed.balances.get(accounts.pool(STUDY))! + paid).toBe(8n * 10_000n * MICRO_PER_CREDIT);
    expect(replayed.balances.get(EXTERNAL)).toBe(-(8n * 10_000n + 6n * 1_000n) * MICRO_PER_CREDIT);
    expect(slashed).toBeGreaterThan(0n);
  });
});
