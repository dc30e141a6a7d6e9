/**
 * One study's contribution accounting, round by round: the orchestration of this package's
 * functions that the hub runs (and the scenario test runs the same way). Pure: the caller passes the
 * previous state, what it measured and what sites signed, and stores the returned state, records
 * and ledger entries in the transaction that settles the round.
 *
 * The state is plain JSON (numbers, strings, booleans, evidence objects), so it can live in a jsonb
 * column and be read back exactly.
 */
import { checkParticipationHarm, checkValidationReports } from './anomalies.ts';
import type { RoundOutcome, ValidationReport } from './anomalies.ts';
import {
  computeContribution,
  creditedSamples,
  dataContribution,
  qualityFromAgreement,
  rarityFactor,
  uptimeBonus,
  validationService,
} from './components.ts';
import type { SiteDeclaration, StudyLimits, TrainingClaim } from './components.ts';
import { isProof } from './evidence.ts';
import type { Evidence } from './evidence.ts';
import { accounts, deposit, fund, reward, slash, stake } from './ledger.ts';
import type { Ledger, LedgerEntry } from './ledger.ts';
import { confirmMisconduct, DEFAULT_SLASH_POLICY, slashAmount } from './misconduct.ts';
import type { SlashPolicy } from './misconduct.ts';
import { initialReputation, updateReputation } from './reputation.ts';
import { roundRewards } from './reward.ts';
import type { RewardWeightsInput } from './reward.ts';
import { checkLabelCounts, checkTrainingClaim } from './submissions.ts';

/** Agreement credited to a validation report that lacks a checked metric (see settleRound). */
export const UNCHECKABLE_QUALITY = 0.5;

/** Study config: everything the accounting needs besides what happened. */
export interface ContributionPolicy {
  limits: StudyLimits;
  weights: RewardWeightsInput;
  /** Micro-credits paid out per settled round (at most). */
  budgetPerRound: bigint;
  /** Micro-credits each site stakes to join. */
  stake: bigint;
  /** Validation metrics cross-checked between sites, and the smallest spread that counts for each. */
  validation: { metrics: readonly string[]; minScale: Readonly<Record<string, number>> };
  slashPolicy?: SlashPolicy;
}

/** What a site signed about itself in the statistics round. */
export interface SiteOpening {
  siteId: string;
  /** null when the site signed no declaration: it is credited nothing, and nothing is proved against it. */
  declaration: SiteDeclaration | null;
  /** Site-signed per-label training counts (the vector it also encrypted). */
  labelCounts: readonly number[] | null;
}

export interface SiteState {
  reputation: number;
  /** Hub-measured on-time flags of every task due so far, oldest first. */
  onTime: boolean[];
  /** Quality of the last validation report (1 before the first one). */
  quality: number;
  rarity: number;
  declaration: SiteDeclaration | null;
  /** Round of the last confirmed misconduct (0: none); evidence up to it was acted on. */
  lastConfirmedRound: number;
  /** Misconduct was confirmed: the site earns nothing from then on. */
  excluded: boolean;
}

export interface ContributionState {
  /** The last settled round (0 after opening). */
  round: number;
  sites: Record<string, SiteState>;
  /** Every piece of evidence so far, oldest first. */
  evidence: Evidence[];
  /**
   * Who went into each round's aggregate and how much the consortium's validation metric moved
   * (hub-measured), for the participation-harm check. Absent in states stored before it existed.
   */
  outcomes?: RoundOutcome[];
  /** The previous round's aggregate value of the first validation metric (null: none yet). */
  lastAggregate?: number | null;
}

/** What happened in one round, for one site (hub-measured or site-signed). */
export interface SiteRoundInput {
  siteId: string;
  /** Hub-measured: the site was asked to train this round. */
  asked: boolean;
  /** Hub-measured: its submission was accepted before the deadline. */
  submitted: boolean;
  /** Site-signed: what it claims it trained (null if it signed nothing). */
  claim: TrainingClaim | null;
  /** Site-signed validation of the round's new global model, if it arrived before the settlement. */
  report: { metrics: Readonly<Record<string, number>>; evaluatedSamples: number } | null;
}

/** One site's account of one round: every component and what it earned or lost. */
export interface SiteRoundRecord {
  siteId: string;
  round: number;
  asked: boolean;
  submitted: boolean;
  reported: boolean;
  compute: number;
  data: number;
  rarity: number;
  quality: number;
  validation: number;
  uptime: number;
  reputation: number;
  forfeit: boolean;
  /** Micro-credits, as decimal strings (JSON has no BigInt). */
  rewardMicro: string;
  slashedMicro: string;
  misconduct: 'proof' | 'repeated' | 'quorum' | null;
  /** Evidence raised against the site this round. */
  evidence: Evidence[];
  /** The site's validation metrics, if it reported. */
  metrics: Record<string, number> | null;
}

export interface Settlement {
  state: ContributionState;
  entries: LedgerEntry[];
  records: SiteRoundRecord[];
  /** Evidence found this round (including consortium-wide evidence with siteId null). */
  evidence: Evidence[];
}

/**
 * Opens a study's accounting after its statistics round: the pool is funded for every round, each
 * site receives and stakes its stake, rarity is fixed from the encrypted label aggregate, and the
 * signed counts are checked against it (evidence in round 0).
 */
export function openContribution(input: {
  studyId: string;
  rounds: number;
  /** Encrypted aggregate: the decrypted per-label training counts of the whole consortium. */
  aggregateLabelCounts: readonly number[];
  sites: readonly SiteOpening[];
  policy: ContributionPolicy;
}): Settlement {
  const { studyId, policy } = input;
  const entries: LedgerEntry[] = [];
  if (policy.budgetPerRound > 0n) entries.push(fund({ id: `fund:${studyId}`, studyId, amount: policy.budgetPerRound * BigInt(input.rounds), memo: `${input.rounds} rounds` }));
  const counts = new Map<string, readonly number[]>();
  const declarations = new Map<string, SiteDeclaration>();
  for (const s of input.sites) {
    if (s.labelCounts) counts.set(s.siteId, s.labelCounts);
    if (s.declaration) declarations.set(s.siteId, s.declaration);
    if (policy.stake > 0n) {
      entries.push(deposit({ id: `deposit:${studyId}:${s.siteId}`, siteId: s.siteId, amount: policy.stake, memo: 'stake grant' }));
      entries.push(stake({ id: `stake:${studyId}:${s.siteId}`, studyId, siteId: s.siteId, amount: policy.stake }));
    }
  }
  const complete = input.sites.every((s) => s.labelCounts !== null);
  const evidence: Evidence[] = checkLabelCounts(0, input.aggregateLabelCounts, counts, declarations, complete);
  // A sum that does not add up cannot be pinned on anyone; rarity is then not paid to anybody.
  const countsTrusted = !evidence.some((e) => e.siteId === null);
  const sites: Record<string, SiteState> = {};
  for (const s of input.sites) {
    const own = counts.get(s.siteId);
    const ownOk = own !== undefined && !evidence.some((e) => e.siteId === s.siteId);
    sites[s.siteId] = {
      reputation: initialReputation(),
      onTime: [],
      quality: 1,
      rarity: countsTrusted && ownOk ? rarityFactor(input.aggregateLabelCounts, own) : 1,
      declaration: s.declaration,
      lastConfirmedRound: 0,
      excluded: false,
    };
  }
  return { state: { round: 0, sites, evidence, outcomes: [], lastAggregate: null }, entries, records: [], evidence };
}

/**
 * Settles one training round: checks claims and validation reports, confirms misconduct (and
 * slashes), updates reputation, scores and pays every site. `ledger` is the ledger as it stands
 * (read only here: slashes are sized from the stake's balance); append the returned entries to it.
 */
export function settleRound(
  previous: ContributionState,
  input: {
    studyId: string;
    round: number;
    sites: readonly SiteRoundInput[];
    /** Signed uploads the hub refused this round (invalid or replayed ciphertexts, `protocolViolation`): proof. */
    violations?: readonly Evidence[];
    ledger: Ledger;
    policy: ContributionPolicy;
  },
): Settlement {
  const { studyId, round, policy } = input;
  if (round !== previous.round + 1) throw new Error(`settleRound: round ${round} follows round ${previous.round}`);
  const limits = policy.limits;
  const sites = structuredClone(previous.sites);
  const roundEvidence: Evidence[] = [...(input.violations ?? [])];

  // 1. Signed claims against the site's own declaration: a contradiction is proof, and forfeits the round.
  for (const s of input.sites) {
    const declaration = sites[s.siteId]?.declaration;
    if (!s.submitted || !s.claim || !declaration) continue;
    const evaluatedSamples = s.report?.evaluatedSamples;
    roundEvidence.push(...checkTrainingClaim(s.siteId, round, { ...s.claim, ...(evaluatedSamples === undefined ? {} : { evaluatedSamples }) }, declaration, limits));
  }

  // 2. Validation reports against each other and against their held-out-weighted mean. A report
  //    without every checked metric (an AUC is undefined on a held-out set of one class) cannot be
  //    cross-checked: it earns no validation pay and counts as half agreement, so leaving a metric
  //    out is never a way around the check.
  const checkable = (s: SiteRoundInput) => s.report !== null && policy.validation.metrics.every((m) => Object.hasOwn(s.report!.metrics, m));
  const reports: ValidationReport[] = input.sites.filter(checkable).map((s) => ({ siteId: s.siteId, round, metrics: s.report!.metrics }));
  const weight = (id: string) => Math.max(0, input.sites.find((s) => s.siteId === id)?.report?.evaluatedSamples ?? 0);
  const totalWeight = reports.reduce((a, r) => a + weight(r.siteId), 0);
  const aggregate: Record<string, number> = {};
  if (totalWeight > 0) {
    for (const metric of policy.validation.metrics) {
      const value = reports.reduce((a, r) => a + (r.metrics[metric] ?? NaN) * weight(r.siteId), 0) / totalWeight;
      if (Number.isFinite(value)) aggregate[metric] = value;
    }
  }
  const check = checkValidationReports(reports, { metrics: policy.validation.metrics, minScale: policy.validation.minScale, aggregate });
  roundEvidence.push(...check.evidence);

  // Participation that hurts: the marginal effect of each site's presence on how much the aggregate
  // validation metric improved, across rounds (needs varied participation; see checkParticipationHarm).
  const primary = policy.validation.metrics[0]!;
  const current = aggregate[primary] ?? null;
  const outcomes = [...(previous.outcomes ?? [])];
  const last = previous.lastAggregate ?? null;
  if (current !== null && last !== null) {
    // Lower is better for a loss; higher for AUC and accuracy.
    const improvement = primary === 'loss' ? last - current : current - last;
    outcomes.push({ round, participants: input.sites.filter((s) => s.submitted).map((s) => s.siteId), improvement });
    roundEvidence.push(...checkParticipationHarm(outcomes).evidence);
  }
  const evidence = [...previous.evidence, ...roundEvidence];
  const flaggedReport = new Set(check.evidence.map((e) => e.siteId));

  // 3. Misconduct, reputation and components, per site.
  const entries: LedgerEntry[] = [];
  const records: SiteRoundRecord[] = [];
  const slashedBy = new Map<string, bigint>();
  const verdicts = new Map<string, 'proof' | 'repeated' | 'quorum' | null>();
  const contributions = input.sites.map((s) => {
    const site = sites[s.siteId];
    if (!site) throw new Error(`settleRound: site ${s.siteId} was not opened`);
    const reported = check.maxAbsZ.has(s.siteId);
    if (reported) site.quality = qualityFromAgreement(check.maxAbsZ.get(s.siteId)!);
    else if (s.report !== null) site.quality = Math.min(site.quality, UNCHECKABLE_QUALITY);

    const verdict = confirmMisconduct({ siteId: s.siteId, currentRound: round, evidence, afterRound: site.lastConfirmedRound });
    verdicts.set(s.siteId, verdict.basis);
    if (verdict.confirmed) {
      const amount = slashAmount(input.ledger.balance(accounts.stake(studyId, s.siteId)), (policy.slashPolicy ?? DEFAULT_SLASH_POLICY)[verdict.basis!]);
      if (amount > 0n) {
        entries.push(slash({ id: `slash:${studyId}:${round}:${s.siteId}`, studyId, siteId: s.siteId, round, amount, reason: `misconduct confirmed (${verdict.basis})`, evidence: verdict.evidence }));
        slashedBy.set(s.siteId, amount);
      }
      site.lastConfirmedRound = round;
      site.excluded = true;
    }

    // Hub-measured punctuality: the training task when asked, and the validation report.
    const tasks = [...(s.asked ? [s.submitted] : []), s.report !== null];
    site.onTime.push(...tasks);
    site.reputation = updateReputation(site.reputation, {
      tasksDue: tasks.length,
      tasksOnTime: tasks.filter(Boolean).length,
      ...(reported ? { agreement: site.quality } : {}),
      misconduct: verdict.confirmed,
    });

    const declaration = site.declaration ?? { datasetSize: 0, heldOutSize: 0 };
    const trained = s.submitted && s.claim ? s.claim : { samples: 0, epochs: 0 };
    const forfeit = site.excluded || roundEvidence.some((e) => e.siteId === s.siteId && isProof(e));
    return {
      siteId: s.siteId,
      compute: computeContribution(trained, declaration, limits).value,
      data: dataContribution(trained, declaration, limits),
      rarity: site.rarity,
      quality: site.quality,
      validation: validationService(
        { onTime: reported, accepted: reported && !flaggedReport.has(s.siteId), evaluatedSamples: Math.max(0, s.report?.evaluatedSamples ?? 0) },
        declaration,
        limits,
      ),
      uptime: uptimeBonus(site.onTime),
      reputation: site.reputation,
      forfeit,
    };
  });

  // 4. Pay the round.
  const paid = roundRewards(policy.budgetPerRound, contributions, policy.weights);
  for (const r of paid.rewards) {
    if (r.amount > 0n) entries.push(reward({ id: `reward:${studyId}:${round}:${r.siteId}`, studyId, siteId: r.siteId, round, amount: r.amount }));
  }
  for (const [i, c] of contributions.entries()) {
    const s = input.sites[i]!;
    records.push({
      ...c,
      round,
      asked: s.asked,
      submitted: s.submitted,
      reported: s.report !== null,
      forfeit: c.forfeit,
      rewardMicro: String(paid.rewards[i]!.amount),
      slashedMicro: String(slashedBy.get(c.siteId) ?? 0n),
      misconduct: verdicts.get(c.siteId) ?? null,
      evidence: roundEvidence.filter((e) => e.siteId === c.siteId),
      metrics: s.report ? { ...s.report.metrics } : null,
    });
  }
  return { state: { round, sites, evidence, outcomes, lastAggregate: current ?? last }, entries, records, evidence: roundEvidence };
}

/** Samples a site is credited for in a round (for reports): bounded by its declaration and the study. */
export function creditedSamplesOf(state: ContributionState, siteId: string, claim: TrainingClaim, limits: StudyLimits): number {
  const declaration = state.sites[siteId]?.declaration;
  return declaration ? creditedSamples(claim, declaration, limits).value : 0;
}
