/**
 * A whole study, round by round, driven through the package's functions the way the hub would drive
 * them: sites train (mini-fl.ts), sign claims and validation reports, the hub checks, scores, pays,
 * slashes, and the ledger decides ownership. Six sites:
 *   large       honest, 4 000 rows, the consortium's usual 10% positives
 *   rare        honest, small (600 rows) but half positives: the rare label the others lack
 *   freerider   2 000 rows, but trains one epoch on 20 of them (near-zero compute, near-zero update)
 *   flipper     2 000 rows with every label inverted (poisoning); its validation metrics are outliers
 *   inflater    honest 2 000 rows, but signs "8 000 samples" in every submission
 *   unreliable  like `large`, but misses the training deadline every other round and some validations
 */
import { checkValidationReports } from '../src/anomalies.ts';
import type { ValidationReport } from '../src/anomalies.ts';
import {
  computeContribution,
  creditedSamples,
  dataContribution,
  qualityFromAgreement,
  rarityFactor,
  uptimeBonus,
  validationService,
} from '../src/components.ts';
import type { SiteDeclaration, StudyLimits, TrainingClaim } from '../src/components.ts';
import { isProof } from '../src/evidence.ts';
import type { Evidence } from '../src/evidence.ts';
import { deposit, fund, Ledger, MICRO_PER_CREDIT, accounts, reward, slash, stake } from '../src/ledger.ts';
import { confirmMisconduct, DEFAULT_SLASH_POLICY, slashAmount } from '../src/misconduct.ts';
import { ownershipFromLedger } from '../src/ownership.ts';
import type { OwnershipShare } from '../src/ownership.ts';
import { initialReputation, updateReputation } from '../src/reputation.ts';
import { roundRewards } from '../src/reward.ts';
import type { RewardWeightsInput, SiteRoundContribution } from '../src/reward.ts';
import { checkLabelCounts, checkTrainingClaim } from '../src/submissions.ts';
import { evaluate, fedAvg, firstRows, flipLabels, labelCounts, makeDataset, seededRandom, train } from './mini-fl.ts';
import type { Dataset, Model } from './mini-fl.ts';

export const STUDY = 'study-1';
export type SiteName = 'large' | 'rare' | 'freerider' | 'flipper' | 'inflater' | 'unreliable';
export const SITES: readonly SiteName[] = ['large', 'rare', 'freerider', 'flipper', 'inflater', 'unreliable'];

interface Site {
  name: SiteName;
  train: Dataset;
  heldOut: Dataset;
  declaration: SiteDeclaration;
  /** What it signs each round, and the data/epochs it really trains on. */
  claim: TrainingClaim;
  trainsOn: Dataset;
  epochs: number;
  /** Rounds whose training / validation deadline it misses. */
  missesTraining: ReadonlySet<number>;
  missesValidation: ReadonlySet<number>;
}

export interface RoundLog {
  round: number;
  evidence: Evidence[];
  rewards: Map<SiteName, bigint>;
  reputation: Map<SiteName, number>;
  quality: Map<SiteName, number>;
  slashed: Map<SiteName, bigint>;
  metrics: Map<SiteName, { accuracy: number; loss: number }>;
}

export interface ScenarioResult {
  rounds: RoundLog[];
  ledger: Ledger;
  shares: OwnershipShare[];
  rarity: Map<SiteName, number>;
  /** Σ credited samples over accepted submissions, per site. */
  creditedSamples: Map<SiteName, number>;
  /** First round with evidence against the site, if any. */
  firstFlagged: Map<SiteName, number>;
  cumulativeReward: Map<SiteName, bigint>;
}

export const LIMITS: StudyLimits = { maxEpochs: 5, operationsPerSample: 18, maxValidationSamples: 500 };
export const WEIGHTS: RewardWeightsInput = { compute: 0.4, data: 0.4, validation: 0.2 };
const BUDGET_PER_ROUND = 10_000n * MICRO_PER_CREDIT;
const STAKE = 1_000n * MICRO_PER_CREDIT;

function buildSites(): Site[] {
  const random = seededRandom(20_240_605);
  const site = (name: SiteName, rows: number, heldOut: number, positiveRate: number, extra: Partial<Site> = {}): Site => {
    const data = makeDataset(random, rows, positiveRate);
    const held = makeDataset(random, heldOut, positiveRate);
    return {
      name,
      train: data,
      heldOut: held,
      declaration: { datasetSize: rows, heldOutSize: heldOut },
      claim: { samples: rows, epochs: LIMITS.maxEpochs },
      trainsOn: data,
      epochs: LIMITS.maxEpochs,
      missesTraining: new Set(),
      missesValidation: new Set(),
      ...extra,
    };
  };
  const flipperData = makeDataset(random, 2000, 0.1);
  const flipperHeld = makeDataset(random, 500, 0.1);
  const freerider = site('freerider', 2000, 500, 0.1);
  return [
    site('large', 4000, 1000, 0.1),
    site('rare', 600, 200, 0.5),
    { ...freerider, trainsOn: firstRows(freerider.train, 20), epochs: 1, claim: { samples: 20, epochs: 1 } },
    {
      ...site('flipper', 2000, 500, 0.1),
      train: flipLabels(flipperData),
      trainsOn: flipLabels(flipperData),
      heldOut: flipLabels(flipperHeld),
    },
    { ...site('inflater', 2000, 500, 0.1), claim: { samples: 8000, epochs: LIMITS.maxEpochs } },
    { ...site('unreliable', 4000, 1000, 0.1), missesTraining: new Set([2, 4, 6, 8]), missesValidation: new Set([4, 8]) },
  ];
}

export function runScenario(rounds = 8): ScenarioResult {
  const sites = buildSites();
  const ledger = new Ledger();
  ledger.append(fund({ id: 'fund', studyId: STUDY, amount: BUDGET_PER_ROUND * BigInt(rounds) }));
  for (const s of sites) {
    ledger.append(deposit({ id: `deposit:${s.name}`, siteId: s.name, amount: STAKE }));
    ledger.append(stake({ id: `stake:${s.name}`, studyId: STUDY, siteId: s.name, amount: STAKE }));
  }

  // Statistics round: every site signs its label counts and encrypts the same vector; the hub only
  // decrypts the sum. Here the sum is taken in the clear, which is what decryption would yield.
  const counts = new Map(sites.map((s) => [s.name, labelCounts(s.train)] as const));
  const aggregate = [0, 0];
  for (const c of counts.values()) c.forEach((v, k) => (aggregate[k]! += v));
  const evidence: Evidence[] = checkLabelCounts(0, aggregate, counts, new Map(sites.map((s) => [s.name, s.declaration])), true);
  const rarity = new Map(sites.map((s) => [s.name, rarityFactor(aggregate, counts.get(s.name)!)] as const));

  let global: Model = [0, 0, 0];
  const reputation = new Map(sites.map((s) => [s.name, initialReputation()] as const));
  const onTime = new Map(sites.map((s) => [s.name, [] as boolean[]] as const));
  const lastQuality = new Map<SiteName, number>(sites.map((s) => [s.name, 1]));
  const lastSlash = new Map<SiteName, number>();
  const excluded = new Set<SiteName>();
  const credited = new Map<SiteName, number>(sites.map((s) => [s.name, 0]));
  const logs: RoundLog[] = [];

  for (let round = 1; round <= rounds; round++) {
    const roundEvidence: Evidence[] = [];

    // 1. Training submissions. Signed claims are checked on arrival; a claim that contradicts the
    //    site's own declaration is proof of misconduct and the submission is refused.
    const accepted: { site: Site; model: Model }[] = [];
    for (const s of sites) {
      if (s.missesTraining.has(round)) continue;
      const claimEvidence = checkTrainingClaim(s.name, round, { ...s.claim, evaluatedSamples: s.heldOut.y.length }, s.declaration, LIMITS);
      roundEvidence.push(...claimEvidence);
      if (claimEvidence.some(isProof) || excluded.has(s.name)) continue;
      accepted.push({ site: s, model: train(global, s.trainsOn, s.epochs) });
    }
    global = fedAvg(accepted.map(({ site, model }) => ({ model, weight: creditedSamples(site.claim, site.declaration, LIMITS).value })));

    // 2. Validation: every site that meets the deadline evaluates the new global model locally.
    const reports: ValidationReport[] = sites
      .filter((s) => !s.missesValidation.has(round))
      .map((s) => ({ siteId: s.name, round, metrics: evaluate(global, s.heldOut) }));
    const heldOutWeight = (name: string) => sites.find((s) => s.name === name)!.heldOut.y.length;
    const totalHeld = reports.reduce((a, r) => a + heldOutWeight(r.siteId), 0);
    // The aggregate metric the hub decrypts: Σ n_i·m_i / Σ n_i over the reports (an encrypted sum in production).
    const aggregateMetrics = Object.fromEntries(
      (['accuracy', 'loss'] as const).map((m) => [m, reports.reduce((a, r) => a + r.metrics[m]! * heldOutWeight(r.siteId), 0) / totalHeld]),
    );
    const check = checkValidationReports(reports, { metrics: ['accuracy', 'loss'], minScale: { accuracy: 0.03, loss: 0.05 }, aggregate: aggregateMetrics });
    roundEvidence.push(...check.evidence);
    evidence.push(...roundEvidence);
    const flaggedReport = new Set(check.evidence.map((e) => e.siteId));

    // 3. Misconduct, reputation and components, per site.
    const contributions: SiteRoundContribution[] = [];
    const slashed = new Map<SiteName, bigint>();
    const quality = new Map<SiteName, number>();
    for (const s of sites) {
      const submitted = accepted.some((a) => a.site === s);
      const reported = check.maxAbsZ.has(s.name);
      if (reported) lastQuality.set(s.name, qualityFromAgreement(check.maxAbsZ.get(s.name)!));
      const q = lastQuality.get(s.name)!;
      quality.set(s.name, q);

      const verdict = confirmMisconduct({ siteId: s.name, currentRound: round, evidence, afterRound: lastSlash.get(s.name) ?? 0 });
      if (verdict.confirmed) {
        const amount = slashAmount(ledger.balance(accounts.stake(STUDY, s.name)), DEFAULT_SLASH_POLICY[verdict.basis!]);
        if (amount > 0n) {
          ledger.append(slash({ id: `slash:${round}:${s.name}`, studyId: STUDY, siteId: s.name, round, amount, reason: `misconduct confirmed (${verdict.basis})`, evidence: verdict.evidence }));
          slashed.set(s.name, amount);
        }
        lastSlash.set(s.name, round);
        excluded.add(s.name);
      }

      const tasks = [!s.missesTraining.has(round), !s.missesValidation.has(round)];
      onTime.get(s.name)!.push(...tasks);
      const rep = updateReputation(
        reputation.get(s.name)!,
        { tasksDue: 2, tasksOnTime: tasks.filter(Boolean).length, ...(reported ? { agreement: q } : {}), misconduct: verdict.confirmed },
      );
      reputation.set(s.name, rep);

      const trained = submitted ? s.claim : { samples: 0, epochs: 0 };
      if (submitted) credited.set(s.name, credited.get(s.name)! + creditedSamples(s.claim, s.declaration, LIMITS).value);
      contributions.push({
        siteId: s.name,
        compute: computeContribution(trained, s.declaration, LIMITS).value,
        data: dataContribution(trained, s.declaration, LIMITS),
        rarity: rarity.get(s.name)!,
        quality: q,
        validation: validationService({ onTime: reported, accepted: reported && !flaggedReport.has(s.name), evaluatedSamples: s.heldOut.y.length }, s.declaration, LIMITS),
        uptime: uptimeBonus(onTime.get(s.name)!),
        reputation: rep,
        forfeit: roundEvidence.some((e) => e.siteId === s.name && isProof(e)),
      });
    }

    // 4. Pay the round.
    const paid = roundRewards(BUDGET_PER_ROUND, contributions, WEIGHTS);
    const rewards = new Map<SiteName, bigint>();
    for (const r of paid.rewards) {
      rewards.set(r.siteId as SiteName, r.amount);
      if (r.amount > 0n) ledger.append(reward({ id: `reward:${round}:${r.siteId}`, studyId: STUDY, siteId: r.siteId, round, amount: r.amount }));
    }
    logs.push({
      round,
      evidence: roundEvidence,
      rewards,
      reputation: new Map(reputation),
      quality,
      slashed,
      metrics: new Map(reports.map((r) => [r.siteId as SiteName, { accuracy: r.metrics.accuracy!, loss: r.metrics.loss! }])),
    });
  }

  const firstFlagged = new Map<SiteName, number>();
  for (const e of evidence) {
    if (e.siteId !== null && !firstFlagged.has(e.siteId as SiteName)) firstFlagged.set(e.siteId as SiteName, e.round);
  }
  const cumulative = ledger.cumulativeRewards(STUDY);
  return {
    rounds: logs,
    ledger,
    shares: ownershipFromLedger(ledger.entries, STUDY, { sites: SITES }),
    rarity,
    creditedSamples: credited,
    firstFlagged,
    cumulativeReward: new Map(SITES.map((name) => [name, cumulative.get(name) ?? 0n])),
  };
}
