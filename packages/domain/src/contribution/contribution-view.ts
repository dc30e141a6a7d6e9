import {
  accounts,
  formatPercent,
  ownershipShares,
  PERCENT_UNITS,
  type ContributionState,
  type Evidence,
  type LedgerEntry,
  type SiteRoundRecord,
} from '@consilium/contribution';
import { contributionSettlements, sites, studySites, type Executor } from '@consilium/db';
import { asc, eq, inArray } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { loadStudyLedger } from './ledger-store.ts';

export interface SiteContribution {
  siteId: string;
  siteName: string;
  /** Ownership share of the study's model in units of 10⁻⁶ % (all sites sum to 10⁸), as a string; "0" before anyone earned. */
  shareUnits: string;
  sharePercent: string;
  rewardMicro: string;
  /** What is left of its stake, and what was slashed from it. */
  stakeMicro: string;
  slashedMicro: string;
  reputation: number;
  rarity: number;
  quality: number;
  /** Declared training / held-out rows (site-signed in the statistics round), if it declared. */
  declaredRows: number | null;
  declaredHeldOut: number | null;
  flags: number;
  excluded: boolean;
}

export interface StudyContribution {
  studyId: string;
  studyName: string;
  status: string;
  /** False until the statistics round completed (nothing to account for yet). */
  opened: boolean;
  settledRounds: number;
  sites: SiteContribution[];
  /** Each settled round, every site's components and pay. */
  rounds: Array<{ round: number; modelVersionId: string | null; settledAt: string; records: Array<SiteRoundRecord & { siteName: string }> }>;
  /** Ownership share (percent string) of each site after each settled round. */
  shareHistory: Array<{ round: number; shares: Record<string, string> }>;
  evidence: Array<Evidence & { siteName: string | null }>;
  ledger: { entries: number; lastEntryId: string | null; poolMicro: string; distributedMicro: string; slashedMicro: string };
}

/** A study's contribution accounting as people read it: shares, components, reputation, evidence. */
export async function getStudyContribution(ctx: DomainContext, studyId: string): Promise<StudyContribution> {
  const study = await loadStudy(ctx.db, studyId);
  const settlements = await ctx.db.select().from(contributionSettlements).where(eq(contributionSettlements.studyId, studyId)).orderBy(asc(contributionSettlements.round));
  const ledger = await loadStudyLedger(ctx.db, studyId);
  const names = await siteNamesOf(ctx.db, studyId);
  const name = (id: string) => names.get(id) ?? id;
  const last = settlements.at(-1);
  const state = (last?.state ?? null) as ContributionState | null;
  const siteIds = state ? Object.keys(state.sites) : [...names.keys()];

  const rewarded = ledger.cumulativeRewards(studyId);
  const shares = sharesOf(rewarded, siteIds);
  const slashedBy = new Map<string, bigint>();
  for (const e of ledger.entries) if (e.kind === 'slash' && e.siteId) slashedBy.set(e.siteId, (slashedBy.get(e.siteId) ?? 0n) + slashedAmount(e));
  const evidence = state?.evidence ?? [];

  const sitesOut: SiteContribution[] = siteIds.map((siteId) => {
    const s = state?.sites[siteId];
    const units = shares.get(siteId) ?? 0n;
    return {
      siteId,
      siteName: name(siteId),
      shareUnits: String(units),
      sharePercent: formatPercent(units),
      rewardMicro: String(rewarded.get(siteId) ?? 0n),
      stakeMicro: String(ledger.balance(accounts.stake(studyId, siteId))),
      slashedMicro: String(slashedBy.get(siteId) ?? 0n),
      reputation: s?.reputation ?? 0,
      rarity: s?.rarity ?? 1,
      quality: s?.quality ?? 1,
      declaredRows: s?.declaration?.datasetSize ?? null,
      declaredHeldOut: s?.declaration?.heldOutSize ?? null,
      flags: evidence.filter((e) => e.siteId === siteId).length,
      excluded: s?.excluded ?? false,
    };
  });
  sitesOut.sort((a, b) => (BigInt(b.shareUnits) > BigInt(a.shareUnits) ? 1 : BigInt(b.shareUnits) < BigInt(a.shareUnits) ? -1 : a.siteName.localeCompare(b.siteName)));

  const shareHistory: StudyContribution['shareHistory'] = [];
  const cumulative = new Map<string, bigint>();
  for (const settlement of settlements.filter((x) => x.round > 0)) {
    for (const r of settlement.records as SiteRoundRecord[]) cumulative.set(r.siteId, (cumulative.get(r.siteId) ?? 0n) + BigInt(r.rewardMicro));
    const atRound = sharesOf(cumulative, siteIds);
    shareHistory.push({ round: settlement.round, shares: Object.fromEntries(siteIds.map((id) => [id, formatPercent(atRound.get(id) ?? 0n)])) });
  }
  const pool = ledger.balance(accounts.pool(studyId));
  const distributed = [...rewarded.values()].reduce((a, b) => a + b, 0n);
  return {
    studyId,
    studyName: study.row.name,
    status: study.row.status,
    opened: settlements.length > 0,
    settledRounds: last?.round ?? 0,
    sites: sitesOut,
    rounds: settlements
      .filter((x) => x.round > 0)
      .map((x) => ({
        round: x.round,
        modelVersionId: x.modelVersionId,
        settledAt: x.settledAt.toISOString(),
        records: (x.records as SiteRoundRecord[]).map((r) => ({ ...r, siteName: name(r.siteId) })),
      })),
    shareHistory,
    evidence: evidence.map((e) => ({ ...e, siteName: e.siteId ? name(e.siteId) : null })),
    ledger: {
      entries: ledger.entries.length,
      lastEntryId: ledger.entries.at(-1)?.id ?? null,
      poolMicro: String(pool),
      distributedMicro: String(distributed),
      slashedMicro: String([...slashedBy.values()].reduce((a, b) => a + b, 0n)),
    },
  };
}

/** Ownership units per site; all zero while nobody has earned anything (there is nothing to own yet). */
function sharesOf(rewards: ReadonlyMap<string, bigint>, siteIds: readonly string[]): Map<string, bigint> {
  const total = [...rewards.values()].reduce((a, b) => a + b, 0n);
  if (total === 0n) return new Map(siteIds.map((id) => [id, 0n]));
  return new Map(ownershipShares(rewards, { sites: siteIds, unitsTotal: PERCENT_UNITS }).map((s) => [s.siteId, s.units]));
}

function slashedAmount(entry: LedgerEntry): bigint {
  return entry.postings.filter((p) => p.amount > 0n).reduce((a, p) => a + p.amount, 0n);
}

async function siteNamesOf(db: Executor, studyId: string): Promise<Map<string, string>> {
  const members = await db.select({ siteId: studySites.siteId }).from(studySites).where(eq(studySites.studyId, studyId));
  if (members.length === 0) return new Map();
  const rows = await db.select({ id: sites.id, name: sites.name }).from(sites).where(inArray(sites.id, members.map((m) => m.siteId)));
  return new Map(rows.map((r) => [r.id, r.name]));
}
