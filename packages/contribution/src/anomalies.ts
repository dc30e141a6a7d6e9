/**
 * The validation layer's cross-checks. After each round every site evaluates the new global model on
 * its own held-out data and signs the metrics; no site can see another's data, so the only way to
 * judge a report is against the other reports. These functions flag:
 *   - metric outliers: a report far from the cross-site median (robust z on the MAD scale);
 *   - disagreement with the round's aggregate metrics (the consortium value the hub obtained, e.g.
 *     from the encrypted sum of held-out-weighted metrics). With few reports the median says little,
 *     and the aggregate is then the main reference;
 *   - invalid reports (missing or non-finite metrics);
 *   - participation that hurts: rounds a site took part in improved the global metric less.
 * A flag is evidence, not a verdict: `misconduct.ts` decides when flags become confirmed misconduct,
 * and `components.ts` turns the z-scores into a quality score.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import type { Evidence, MetricEvidence } from './evidence.ts';
import { mad, median, robustScale } from './robust-stats.ts';

/** One site's validation report for one round. */
export interface ValidationReport {
  siteId: string;
  round: number;
  /**
   * Site-signed: metrics of the round's new global model on the site's local held-out data
   * (e.g. { accuracy: 0.91, loss: 0.27 }). Untrusted: a report may lack metrics or carry NaN.
   */
  metrics: Readonly<Record<string, number>>;
}

export interface ValidationCheckOptions {
  /** Metrics every report must carry (from the study spec). Other metrics are ignored. */
  metrics: readonly string[];
  /**
   * |z| above which a value is flagged. Default 3.5, Iglewicz & Hoaglin's cut-off for the modified
   * z-score: rare for honest reports even with a handful of sites.
   */
  threshold?: number;
  /**
   * Smallest spread that matters, per metric or for all, in the metric's units. Sites hold genuinely
   * different populations, and when honest sites agree closely the MAD is tiny: without a floor, a
   * site with an unusual (rare) population would be flagged for a 2-point accuracy gap. Default 0.02.
   */
  minScale?: number | Readonly<Record<string, number>>;
  /**
   * Hub-measured: the round's aggregate metrics (the consortium-level value of each metric, e.g. the
   * held-out-weighted mean decrypted from the encrypted sum). When given, each report is also
   * compared with it. Omit a metric to skip that comparison.
   */
  aggregate?: Readonly<Record<string, number>>;

  /**
   * Fewest valid reports for a cross-site (median) comparison. With two reports the median cannot
   * tell which one is odd. Default 3.
   */
  minReports?: number;
}

export interface ValidationCheckResult {
  evidence: Evidence[];
  /**
   * Per site, the largest |z| over all checked metrics and comparisons: 0 for a perfectly typical
   * report, Infinity for an invalid one. This feeds `qualityFromAgreement`.
   */
  maxAbsZ: Map<string, number>;
  /** Per metric, the cross-site median and MAD of the valid reports (NaN when none were valid). */
  summary: Map<string, { median: number; mad: number; reports: number }>;
}

/** Cross-checks one round's validation reports. Pure: same reports, same flags. */
export function checkValidationReports(
  reports: readonly ValidationReport[],
  options: ValidationCheckOptions,
): ValidationCheckResult {
  const threshold = options.threshold ?? 3.5;
  const minReports = options.minReports ?? 3;
  if (!(threshold > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `threshold must be > 0, got ${threshold}`);
  if (options.metrics.length === 0) throw new AppError(ErrorCode.INVALID_INPUT, 'at least one metric must be checked');

  const round = reports[0]?.round ?? 0;
  const seen = new Set<string>();
  for (const report of reports) {
    // One report per site per round is the hub's job (it stores them by site and round); a duplicate
    // here is a bug upstream, not something to judge statistically.
    if (seen.has(report.siteId))
      throw new AppError(ErrorCode.INVALID_INPUT, `two validation reports from site ${report.siteId}`, { details: { siteId: report.siteId } });
    if (report.round !== round)
      throw new AppError(ErrorCode.INVALID_INPUT, `reports from rounds ${round} and ${report.round} mixed in one check`);
    seen.add(report.siteId);
  }

  const evidence: Evidence[] = [];
  const maxAbsZ = new Map<string, number>(reports.map((r) => [r.siteId, 0]));
  const summary: ValidationCheckResult['summary'] = new Map();
  const raise = (siteId: string, z: number) => maxAbsZ.set(siteId, Math.max(maxAbsZ.get(siteId) ?? 0, Math.abs(z)));

  for (const metric of options.metrics) {
    const minScale = minScaleFor(options.minScale, metric);
    const valid: { siteId: string; value: number }[] = [];
    for (const report of reports) {
      const value = Object.hasOwn(report.metrics, metric) ? report.metrics[metric] : undefined;
      if (value === undefined) {
        evidence.push({ kind: 'submission', siteId: report.siteId, round, reason: 'missing-metric', detail: `validation report lacks "${metric}"` });
        raise(report.siteId, Infinity);
      } else if (!Number.isFinite(value)) {
        evidence.push({ kind: 'submission', siteId: report.siteId, round, reason: 'non-finite-metric', detail: `"${metric}" is ${value}` });
        raise(report.siteId, Infinity);
      } else {
        valid.push({ siteId: report.siteId, value });
      }
    }
    if (valid.length === 0) {
      summary.set(metric, { median: NaN, mad: NaN, reports: 0 });
      continue;
    }

    const values = valid.map((v) => v.value);
    const centre = median(values);
    const spread = mad(values, centre);
    const scale = robustScale(spread, minScale);
    summary.set(metric, { median: centre, mad: spread, reports: valid.length });
    const base = { kind: 'metric', round, metric, median: centre, mad: spread, threshold } as const;

    for (const { siteId, value } of valid) {
      if (valid.length >= minReports) {
        const z = (value - centre) / scale;
        raise(siteId, z);
        if (Math.abs(z) > threshold) evidence.push({ ...base, siteId, reason: 'metric-outlier', value, reference: centre, z });
      }
      const aggregate = options.aggregate?.[metric];
      if (aggregate !== undefined && Number.isFinite(aggregate)) {
        // The aggregate is not robust: a poisoner's report is inside the sum and drags it, and then
        // every honest site sits |aggregate − median| away from it. That gap is added to the scale,
        // so honest sites are not flagged for the attacker's pull while a report far from both is.
        // Below minReports the median and MAD of a couple of values mean nothing: the aggregate is
        // then the only reference and minScale the only scale.
        const aggregateScale = valid.length >= minReports ? scale + Math.abs(aggregate - centre) : minScale;
        const z = (value - aggregate) / aggregateScale;
        raise(siteId, z);
        if (Math.abs(z) > threshold) evidence.push({ ...base, siteId, reason: 'aggregate-disagreement', value, reference: aggregate, z });
      }
    }
  }
  return { evidence, maxAbsZ, summary };
}

function minScaleFor(option: ValidationCheckOptions['minScale'], metric: string): number {
  const value = typeof option === 'number' ? option : (option?.[metric] ?? 0.02);
  if (!(value > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `minScale for ${metric} must be > 0, got ${value}`);
  return value;
}

/** What happened to the global model in one round, as the hub measured it. */
export interface RoundOutcome {
  round: number;
  /** Hub-measured: the sites whose updates went into this round's aggregate. */
  participants: readonly string[];
  /**
   * Hub-measured, from aggregate metrics only: the change of the global validation metric this round
   * brought, oriented so that higher is better (e.g. Δaccuracy, or −Δloss).
   */
  improvement: number;
}

export interface ParticipationHarmOptions {
  /** Flag impact whose robust z is below −threshold. Default 3.5. */
  threshold?: number;
  /** Rounds needed both with and without a site before its impact is measured. Default 3. */
  minRoundsEach?: number;
  /** Floor on the scale of impacts, in the improvement's units. Default 1e-3. */
  minScale?: number;
}

/**
 * Leave-one-out across rounds rather than within one: under secure aggregation the hub never sees a
 * single site's update, but it does know who took part in each round and how much the aggregate
 * improved. A site's impact is its coefficient β_i in the least-squares fit
 *
 *   improvement_t ≈ Σ_i β_i · [site i took part in round t]
 *
 * i.e. the marginal effect of its participation, separated from which other sites it happened to be
 * sampled with (a plain "mean with − mean without" blames the sites sampled alongside a saboteur).
 * This needs varied participation (sampling a subset of sites per round); a site in every round, or
 * in none, gets no impact (fewer than minRoundsEach rounds on either side) and is never flagged.
 * Only harm is flagged (one-sided), relative to the other sites' impacts on the robust scale.
 */
export function checkParticipationHarm(
  history: readonly RoundOutcome[],
  options: ParticipationHarmOptions = {},
): { evidence: MetricEvidence[]; impact: Map<string, number> } {
  const threshold = options.threshold ?? 3.5;
  const minRoundsEach = options.minRoundsEach ?? 3;
  const minScale = options.minScale ?? 1e-3;
  for (const outcome of history) {
    if (!Number.isFinite(outcome.improvement))
      throw new AppError(ErrorCode.INVALID_INPUT, `round ${outcome.round}: improvement must be finite`);
  }

  const sites = [...new Set(history.flatMap((h) => h.participants))].sort();
  const rows = history.map((h) => sites.map((site) => (h.participants.includes(site) ? 1 : 0)));
  const beta = leastSquares(
    rows,
    history.map((h) => h.improvement),
  );
  const impact = new Map<string, number>();
  sites.forEach((site, i) => {
    const inside = rows.filter((r) => r[i] === 1).length;
    if (inside >= minRoundsEach && history.length - inside >= minRoundsEach) impact.set(site, beta[i]!);
  });

  const evidence: MetricEvidence[] = [];
  if (impact.size < 3) return { evidence, impact };
  const values = [...impact.values()];
  const centre = median(values);
  const spread = mad(values, centre);
  const scale = robustScale(spread, minScale);
  const round = Math.max(...history.map((h) => h.round));
  for (const [siteId, value] of impact) {
    const z = (value - centre) / scale;
    if (z < -threshold && value < 0)
      evidence.push({ kind: 'metric', siteId, round, reason: 'participation-harm', metric: 'participation-impact', value, median: centre, mad: spread, reference: centre, z, threshold });
  }
  return { evidence, impact };
}

/**
 * β minimising ‖Xβ − y‖² + λ‖β‖², by Gaussian elimination on the normal equations. The tiny ridge λ
 * keeps the system solvable when columns are collinear (two sites always sampled together); it
 * splits their joint effect evenly instead of failing.
 */
function leastSquares(x: readonly (readonly number[])[], y: readonly number[]): number[] {
  const k = x[0]?.length ?? 0;
  const a = Array.from({ length: k }, (_, i) => Array.from({ length: k + 1 }, (_, j) => (j === k ? x.reduce((s, row, t) => s + row[i]! * y[t]!, 0) : x.reduce((s, row) => s + row[i]! * row[j]!, 0))));
  const ridge = 1e-9 * Math.max(1, ...a.map((row, i) => row[i]!));
  a.forEach((row, i) => (row[i]! += ridge));
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]!;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const row = a[r]!;
      const f = row[col]! / p[col]!;
      if (f !== 0) for (let c = col; c <= k; c++) row[c]! -= f * p[c]!;
    }
  }
  return a.map((row, i) => row[k]! / row[i]!);
}
