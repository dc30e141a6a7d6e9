import type { RouterOutputs } from '@consilium/api';
import type { BenchResult } from '../bench-context.ts';
import { formatTable } from '../format-table.ts';

export type SiteRole = 'large' | 'rare' | 'freerider' | 'flipper' | 'inflater' | 'unreliable';

type Summary = RouterOutputs['contribution']['summary'];

export interface BenchSite {
  role: SiteRole;
  rows: number;
  positives: number;
  behaviour: Record<string, unknown>;
}

const MICRO = 1_000_000;
const credits = (micro: string) => (Number(BigInt(micro)) / MICRO).toFixed(2);
/** Share units are 10⁻⁶ %: as a fraction of the model. */
const fraction = (units: string) => Number(BigInt(units)) / 1e8;

/**
 * The contribution benchmark's table and figures, with the targets checked: the poisoner
 * and the inflater flagged within five rounds and left with the lowest shares, the rare-data site
 * owning more than its share of samples, the unreliable site earning less than the equally sized
 * reliable one.
 */
export function contributionReport(input: { summary: Summary; sites: readonly BenchSite[]; rounds: number; wallS: number }): BenchResult {
  const { summary } = input;
  const totalRows = input.sites.reduce((a, s) => a + s.rows, 0);
  const rows = input.sites.map((site) => {
    const row = summary.sites.find((s) => s.siteName === site.role);
    if (!row) throw new Error(`the hub's contribution summary has no site "${site.role}"`);
    const evidence = summary.evidence.filter((e) => e.siteName === site.role);
    const firstFlag = evidence.length > 0 ? Math.min(...evidence.map((e) => e.round)) : null;
    const records = summary.rounds.flatMap((r) => r.records.filter((x) => x.siteName === site.role));
    const mean = (pick: (r: (typeof records)[number]) => number) => (records.length ? records.reduce((a, r) => a + pick(r), 0) / records.length : 0);
    return {
      site: site.role,
      behaviour: site.behaviour,
      rows: site.rows,
      positive_rate: site.positives / site.rows,
      sample_share: site.rows / totalRows,
      rarity: row.rarity,
      mean_quality: mean((r) => r.quality),
      mean_uptime: mean((r) => r.uptime),
      rounds_submitted: records.filter((r) => r.submitted).length,
      reputation: row.reputation,
      flags: row.flags,
      first_flagged_round: firstFlag,
      reasons: [...new Set(evidence.map((e) => e.reason))],
      misconduct: records.filter((r) => r.misconduct).map((r) => ({ round: r.round, basis: r.misconduct })),
      slashed_credits: Number(credits(row.slashedMicro)),
      stake_left_credits: Number(credits(row.stakeMicro)),
      reward_credits: Number(credits(row.rewardMicro)),
      share: fraction(row.shareUnits),
      share_percent: row.sharePercent,
    };
  });
  const of = (role: SiteRole) => rows.find((r) => r.site === role)!;
  const flaggedWithin5 = (role: SiteRole) => {
    const first = of(role).first_flagged_round;
    return first !== null && first >= 1 && first <= 5;
  };
  const cheats: SiteRole[] = ['flipper', 'inflater'];
  const others = rows.filter((r) => !cheats.includes(r.site));
  const targets = {
    poisoner_flagged_within_5_rounds: flaggedWithin5('flipper'),
    inflater_flagged_within_5_rounds: flaggedWithin5('inflater'),
    poisoner_and_inflater_have_lowest_shares: cheats.every((c) => others.every((o) => of(c).share < o.share)),
    rare_share_exceeds_sample_share: of('rare').share > of('rare').sample_share,
    unreliable_earns_less_than_equal_reliable_site: of('unreliable').reward_credits < of('large').reward_credits,
    shares_sum_to_exactly_100_percent: summary.sites.reduce((a, s) => a + BigInt(s.shareUnits), 0n) === 100_000_000n,
  };

  const table = formatTable(
    ['site', 'rows', 'pos %', 'samples %', 'rarity', 'quality', 'uptime', 'trained', 'reputation', 'flags', '1st flag', 'slashed', 'reward', 'share'],
    rows.map((r) => [
      r.site,
      String(r.rows),
      (100 * r.positive_rate).toFixed(0),
      (100 * r.sample_share).toFixed(1),
      r.rarity.toFixed(2),
      r.mean_quality.toFixed(2),
      r.mean_uptime.toFixed(2),
      `${r.rounds_submitted}/${input.rounds}`,
      r.reputation.toFixed(3),
      String(r.flags),
      r.first_flagged_round === null ? '—' : String(r.first_flagged_round),
      r.slashed_credits.toFixed(2),
      r.reward_credits.toFixed(2),
      r.share_percent,
    ]),
  );
  const text = [
    `Contribution benchmark: six real agents, encrypted study, ${input.rounds} rounds, ${input.wallS.toFixed(0)} s`,
    '',
    table,
    '',
    `ledger: ${summary.ledger.entries} entries; paid ${credits(summary.ledger.distributedMicro)} credits, slashed ${credits(summary.ledger.slashedMicro)}, left in the pool ${credits(summary.ledger.poolMicro)}`,
    '',
    ...Object.entries(targets).map(([name, met]) => `${met ? 'met    ' : 'NOT MET'}  ${name.replaceAll('_', ' ')}`),
  ].join('\n');
  return {
    json: { rounds: input.rounds, wall_s: input.wallS, sites: rows, ledger: summary.ledger, share_history: summary.shareHistory, targets },
    text,
  };
}
