/**
 * The contribution components of one site in one round, each computed from explicit inputs.
 *
 * Every input says where it comes from, because that decides how far it can be trusted:
 *   - study config: public, fixed before the study starts, identical for hub and sites;
 *   - hub-measured: observed by the hub itself (arrival times, who took part), no site can forge it;
 *   - site-signed: claimed by the site and signed with its key. It can be a lie, so every such
 *     input is bounded by something the site cannot inflate (its own earlier signed declaration,
 *     the study config) and cross-checked in submissions.ts / anomalies.ts;
 *   - encrypted aggregate: the decrypted sum of all sites' encrypted vectors. The hub learns only
 *     the consortium total, never one site's value.
 * All components are plain non-negative numbers; reward.ts normalises them per round, so units only
 * need to be consistent within a round.
 */
import { AppError, ErrorCode } from '@consilium/errors';

/** Study config: the bounds every claim is clipped to. */
export interface StudyLimits {
  /** Study config: the most local epochs a round allows (training.localEpochs). */
  maxEpochs: number;
  /**
   * Study config: model operations per sample per epoch (≈ 6 × parameter count for a forward and
   * backward pass). The same for every site, because every site trains the same model.
   */
  operationsPerSample: number;
  /** Study config, optional: the most training samples credited to one site per round. */
  maxSamplesPerSite?: number;
  /** Study config, optional: the most held-out samples credited to one validation report. */
  maxValidationSamples?: number;
}

/** What a site declared about itself when it enrolled in the study. */
export interface SiteDeclaration {
  /**
   * Site-signed at enrolment: training rows. Fixed for the study, and checked against the site's
   * signed label counts (which must add up to no more than this) and, through them, against the
   * encrypted aggregate label histogram.
   */
  datasetSize: number;
  /** Site-signed at enrolment: held-out rows kept for validation. */
  heldOutSize: number;
}

/** What a site claims it did in one round, signed inside its submission. */
export interface TrainingClaim {
  /** Site-signed: distinct training samples used this round. */
  samples: number;
  /** Site-signed: local epochs run over them. */
  epochs: number;
}

/** A claim after bounding: the value credited, and whether (and by how much) the claim was cut. */
export interface Bounded {
  value: number;
  claimed: number;
  limit: number;
  capped: boolean;
}

function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be a finite number ≥ 0, got ${value}`);
  return value;
}

function bound(claimed: number, limit: number, what: string): Bounded {
  nonNegative(claimed, what);
  const value = Math.min(claimed, limit);
  return { value, claimed, limit, capped: claimed > limit };
}

/**
 * Samples credited: min(claimed, declared dataset size, study cap). A site can never be credited for
 * more rows than it declared at enrolment, so inflating per-round claims buys nothing; the excess is
 * flagged separately (submissions.ts) as proof of misconduct.
 */
export function creditedSamples(claim: TrainingClaim, declaration: SiteDeclaration, limits: StudyLimits): Bounded {
  const limit = Math.min(nonNegative(declaration.datasetSize, 'datasetSize'), limits.maxSamplesPerSite ?? Infinity);
  return bound(claim.samples, limit, 'claimed samples');
}

/** Epochs credited: min(claimed, study maximum). Extra epochs beyond the study's are not work it asked for. */
export function creditedEpochs(claim: TrainingClaim, limits: StudyLimits): Bounded {
  return bound(claim.epochs, nonNegative(limits.maxEpochs, 'maxEpochs'), 'claimed epochs');
}

/**
 * Compute contribution: credited samples × credited epochs × operations per sample, i.e. the model
 * operations the study asked for and the site (claims it) performed. Bounded above by what an honest
 * site of the declared size running the study's epochs would do. A free rider that honestly runs
 * little gets little; one that lies is bounded by the caps, and its (unchanged) update drags the
 * aggregate, which checkParticipationHarm measures across rounds.
 */
export function computeContribution(
  claim: TrainingClaim,
  declaration: SiteDeclaration,
  limits: StudyLimits,
): { value: number; samples: Bounded; epochs: Bounded } {
  const samples = creditedSamples(claim, declaration, limits);
  const epochs = creditedEpochs(claim, limits);
  const ops = nonNegative(limits.operationsPerSample, 'operationsPerSample');
  return { value: samples.value * epochs.value * ops, samples, epochs };
}

/**
 * Data contribution: credited samples (the same cap as compute), counted once per round however many
 * epochs ran over them. Data is what a hospital brings that compute cannot buy; reward.ts multiplies
 * it by the rarity factor, so a thousand rare cases can be worth more than ten thousand common ones.
 */
export function dataContribution(claim: TrainingClaim, declaration: SiteDeclaration, limits: StudyLimits): number {
  return creditedSamples(claim, declaration, limits).value;
}

export interface RarityOptions {
  /**
   * α in p·P^(−α). 1 is plain inverse frequency (a label at 1% is worth 10× one at 10%), 0 ignores
   * rarity. Default 0.5, the square-root re-weighting used for class imbalance: rare data is rewarded
   * without letting one tiny class dominate the pool.
   */
  exponent?: number;
  /** Upper clip of the factor: bounds what any histogram, honest or not, can earn. Default 4. */
  maxRarity?: number;
}

/**
 * How under-represented a site's labels are in the consortium, as a multiplier of its data
 * contribution. With P(k) the consortium's label distribution and p(k) the site's:
 *
 *   rarity = Σ_k p(k)·P(k)^(−α)  /  Σ_k P(k)^(1−α)
 *
 * The denominator is the same sum taken over the whole consortium, so the sample-weighted average of
 * rarity over all sites is exactly 1: rarity moves reward between sites, it does not create any.
 * A site shaped like the consortium gets 1, one rich in rare labels gets more, clipped at maxRarity.
 *
 * Privacy choice: the inputs are label counts, never records.
 * @param aggregate Encrypted aggregate: per-label counts summed over every site under encryption and
 *   decrypted only as a total (the statistics round). No site's counts are visible in it.
 * @param siteCounts Site-signed: the site's own per-label counts, the same vector it encrypted into the
 *   aggregate. The hub checks it against the aggregate and the declared dataset size
 *   (checkLabelCounts) before calling this. A study that will not disclose per-site counts can have
 *   each site run this same function locally on the public aggregate and sign only the scalar; the
 *   hub then can only bound it (maxRarity), which the README discusses.
 */
export function rarityFactor(aggregate: readonly number[], siteCounts: readonly number[], options: RarityOptions = {}): number {
  const alpha = options.exponent ?? 0.5;
  const maxRarity = options.maxRarity ?? 4;
  if (!(alpha >= 0 && alpha <= 2)) throw new AppError(ErrorCode.INVALID_INPUT, `rarity exponent must be in [0, 2], got ${alpha}`);
  if (!(maxRarity >= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `maxRarity must be ≥ 1, got ${maxRarity}`);
  if (aggregate.length !== siteCounts.length || aggregate.length === 0)
    throw new AppError(ErrorCode.INVALID_INPUT, `label histograms must have the same, non-zero length (${aggregate.length} vs ${siteCounts.length})`);

  let total = 0;
  let siteTotal = 0;
  for (let k = 0; k < aggregate.length; k++) {
    const a = nonNegative(aggregate[k]!, `aggregate[${k}]`);
    const s = nonNegative(siteCounts[k]!, `siteCounts[${k}]`);
    // The aggregate includes the site: a larger site count is impossible for honest inputs.
    if (s > a) throw new AppError(ErrorCode.INVALID_INPUT, `site count ${s} for label ${k} exceeds the consortium's ${a}`, { details: { label: k } });
    total += a;
    siteTotal += s;
  }
  // A site with no labelled data contributes no data; neutral factor, the data term is 0 anyway.
  if (siteTotal === 0) return 1;

  let numerator = 0;
  let normaliser = 0;
  for (let k = 0; k < aggregate.length; k++) {
    const a = aggregate[k]!;
    if (a === 0) continue;
    const P = a / total;
    numerator += (siteCounts[k]! / siteTotal) * P ** -alpha;
    normaliser += P ** (1 - alpha);
  }
  return Math.min(numerator / normaliser, maxRarity);
}

export interface QualityOptions {
  /** |z| up to which a report earns full quality. Default 2.5. */
  fullCredit?: number;
  /** |z| from which it earns none; match the anomaly threshold so a flagged report earns 0. Default 3.5. */
  zeroCredit?: number;
}

/**
 * Quality score in [0, 1] from validation agreement: the largest |robust z| of the site's validation
 * report this round (checkValidationReports' maxAbsZ). The site's held-out data is drawn like its
 * training data, so a report far from everyone else's says its data (or its honesty) is off: label
 * noise, poisoned labels, a broken pipeline. Linear between fullCredit and zeroCredit, so a site near
 * the threshold is not all-or-nothing.
 */
export function qualityFromAgreement(maxAbsZ: number, options: QualityOptions = {}): number {
  const full = options.fullCredit ?? 2.5;
  const zero = options.zeroCredit ?? 3.5;
  if (!(full >= 0 && zero > full)) throw new AppError(ErrorCode.INVALID_INPUT, `need 0 ≤ fullCredit < zeroCredit, got ${full}, ${zero}`);
  const z = Math.abs(maxAbsZ);
  if (Number.isNaN(z)) return 0;
  if (z <= full) return 1;
  if (z >= zero) return 0;
  return (zero - z) / (zero - full);
}

export interface ValidationServiceInput {
  /** Hub-measured: the report arrived before the round's validation deadline. */
  onTime: boolean;
  /** From the cross-checks: the report was valid and not flagged (checkValidationReports). */
  accepted: boolean;
  /** Site-signed: held-out samples the report was computed on. */
  evaluatedSamples: number;
}

/**
 * Validation service: held-out samples evaluated in an accepted, on-time report, capped by the
 * site's declared held-out size and the study's cap. A late report is useless to the round and a
 * flagged one is not a service; both earn 0. The cap stops a large site from crowding out the
 * small ones: every honest validator is about equally useful as a cross-check.
 */
export function validationService(input: ValidationServiceInput, declaration: SiteDeclaration, limits: StudyLimits): number {
  const evaluated = nonNegative(input.evaluatedSamples, 'evaluatedSamples');
  if (!input.onTime || !input.accepted) return 0;
  return Math.min(evaluated, nonNegative(declaration.heldOutSize, 'heldOutSize'), limits.maxValidationSamples ?? Infinity);
}

export interface UptimeOptions {
  /** Most recent tasks considered. Default 20: old lapses are forgiven, recent ones count. */
  window?: number;
}

/**
 * Uptime bonus in [0, 1]: the share of the site's recent tasks (training submissions and validation
 * reports) delivered before their deadline.
 * @param onTimeHistory Hub-measured: one entry per task that was due, oldest first, true if it
 *   arrived in time. The hub timestamps arrivals itself, so a site cannot claim punctuality.
 * A site with nothing due yet gets 1: newcomers are not punished for having no history (reputation
 * starts them lower instead).
 */
export function uptimeBonus(onTimeHistory: readonly boolean[], options: UptimeOptions = {}): number {
  const window = options.window ?? 20;
  if (!(Number.isInteger(window) && window > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `window must be a positive integer, got ${window}`);
  const recent = onTimeHistory.slice(-window);
  if (recent.length === 0) return 1;
  return recent.filter(Boolean).length / recent.length;
}
