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
import { creditedSamples } from '../src/components.ts';
import type { SiteDeclaration, StudyLimits, TrainingClaim } from '../src/components.ts';
import { isProof } from '../src/evidence.ts';
import type { Evidence } from '../src/evidence.ts';
import { Ledger, MICRO_PER_CREDIT } from '../src/ledger.ts';
import { ownershipFromLedger } from '../src/ownership.ts';
import type { OwnershipShare } from '../src/ownership.ts';
import type { RewardWeightsInput } from '../src/reward.ts';
import { openContribution, settleRound } from '../src/settlement.ts';
import type { ContributionPolicy, SiteRoundRecord } from '../src/settlement.ts';
import { checkTrainingClaim } from '../src/submissions.ts';
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

export const POLICY: ContributionPolicy = {
  limits: LIMITS,
  weights: WEIGHTS,
  budgetPerRound: BUDGET_PER_ROUND,
  stake: STAKE,
  validation: { metrics: ['accuracy', 'loss'], minScale: { accuracy: 0.03, loss: 0.05 } },
};

export function runScenario(rounds = 8): ScenarioResult {
  const sites = buildSites();
  const ledger = new Ledger();

  // Statistics round: every site signs its label counts and encrypts the same vector; the hub only
  // decrypts the sum. Here the sum is taken in the clear, which is what decryption would yield.
  const counts = new Map(sites.map((s) => [s.name, labelCounts(s.train)] as const));
  const aggregate = [0, 0];
  for (const c of counts.values()) c.forEach((v, k) => (aggregate[k]! += v));
  const opened = openContribution({
    studyId: STUDY,
    rounds,
    aggregateLabelCounts: aggregate,
    sites: sites.map((s) => ({ siteId: s.name, declaration: s.declaration, labelCounts: counts.get(s.name)! })),
    policy: POLICY,
  });
  for (const entry of opened.entries) ledger.append(entry);
  let state = opened.state;
  const rarity = new Map(sites.map((s) => [s.name, state.sites[s.name]!.rarity] as const));

  let global: Model = [0, 0, 0];
  const credited = new Map<SiteName, number>(sites.map((s) => [s.name, 0]));
  const logs: RoundLog[] = [];

  for (let round = 1; round <= rounds; round++) {
    // 1. Training submissions. A claim that contradicts the site's own declaration is proof of
    //    misconduct: the submission is refused, as is any from a site whose misconduct was confirmed.
    const accepted: { site: Site; model: Model }[] = [];
    for (const s of sites) {
      if (s.missesTraining.has(round) || state.sites[s.name]!.excluded) continue;
      if (checkTrainingClaim(s.name, round, s.claim, s.declaration, LIMITS).some(isProof)) continue;
      accepted.push({ site: s, model: train(global, s.trainsOn, s.epochs) });
    }
    global = fedAvg(accepted.map(({ site, model }) => ({ model, weight: creditedSamples(site.claim, site.declaration, LIMITS).value })));
    for (const { site } of accepted) credited.set(site.name, credited.get(site.name)! + creditedSamples(site.claim, site.declaration, LIMITS).value);

    // 2. Validation: every site that meets the deadline evaluates the new global model locally;
    //    then the hub settles the round.
    const settled = settleRound(state, {
      studyId: STUDY,
      round,
      ledger,
      policy: POLICY,
      sites: sites.map((s) => ({
        siteId: s.name,
        asked: true,
        submitted: !s.missesTraining.has(round),
        claim: s.claim,
        report: s.missesValidation.has(round) ? null : { metrics: evaluate(global, s.heldOut), evaluatedSamples: s.heldOut.y.length },
      })),
    });
    for (const entry of settled.entries) ledger.append(entry);
    state = settled.state;
    const bySite = (pick: (r: SiteRoundRecord) => number | bigint) => new Map(settled.records.map((r) => [r.siteId as SiteName, pick(r)] as const));
    logs.push({
      round,
      evidence: settled.evidence,
      rewards: bySite((r) => BigInt(r.rewardMicro)) as Map<SiteName, bigint>,
      reputation: bySite((r) => r.reputation) as Map<SiteName, number>,
      quality: bySite((r) => r.quality) as Map<SiteName, number>,
      slashed: new Map(settled.records.filter((r) => r.slashedMicro !== '0').map((r) => [r.siteId as SiteName, BigInt(r.slashedMicro)] as const)),
      metrics: new Map(
        settled.records.filter((r) => r.metrics).map((r) => [r.siteId as SiteName, { accuracy: r.metrics!['accuracy']!, loss: r.metrics!['loss']! }] as const),
      ),
    });
  }

  const firstFlagged = new Map<SiteName, number>();
  for (const e of state.evidence) {
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
