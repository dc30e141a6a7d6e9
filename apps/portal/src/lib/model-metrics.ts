/**
 * A study's global metrics per model version, from `studies.progress`: the training loss the round
 * aggregated (the model version's own metrics) and the sites' validation of the version pooled over
 * their held-out sets (accuracy and loss weighted by held-out size, as the hub pools them; AUC
 * weighted by held-out size too, over the sites that could compute one). Pure functions.
 */
import type { StudyProgress } from '../server/hub.ts';

type Model = StudyProgress['models'][number];
type Round = StudyProgress['rounds'][number];

export interface VersionMetrics {
  version: number;
  modelVersionId: string;
  /** The training round that produced the version (null if the hub did not list it). */
  round: number | null;
  /** Mean training loss the round aggregated (weighted by the sites' samples), when the hub recorded it. */
  trainLoss: number | null;
  /** Sites whose updates went into the version, when the hub recorded it. */
  contributors: number | null;
  /** ε spent by the study's differential privacy up to this version, when it has any. */
  epsilonSpent: number | null;
  /** Validation over every site's held-out rows: accuracy and loss weighted by rows. */
  accuracy: number | null;
  loss: number | null;
  /** Held-out-weighted mean of the sites' AUC (sites without an AUC, e.g. one class only, left out). */
  auc: number | null;
  /** Held-out rows the version was validated on, and by how many sites. */
  n: number;
  sites: number;
}

/** A number field of the hub's free-form model metrics, or null. */
export function metricNumber(metrics: unknown, key: string): number | null {
  if (typeof metrics !== 'object' || metrics === null) return null;
  const value = (metrics as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function weightedMean(pairs: ReadonlyArray<{ value: number | null; n: number }>): number | null {
  const usable = pairs.filter((p): p is { value: number; n: number } => p.value !== null && Number.isFinite(p.value) && p.n > 0);
  const total = usable.reduce((sum, p) => sum + p.n, 0);
  return total === 0 ? null : usable.reduce((sum, p) => sum + p.value * p.n, 0) / total;
}

export function versionMetrics(model: Model, rounds: readonly Round[]): VersionMetrics {
  const evaluations = model.evaluations.map((e) => e.metrics);
  return {
    version: model.version,
    modelVersionId: model.id,
    round: rounds.find((r) => r.id === model.roundId)?.index ?? null,
    trainLoss: metricNumber(model.metrics, 'trainLoss'),
    contributors: metricNumber(model.metrics, 'contributors'),
    epsilonSpent: metricNumber(model.metrics, 'epsilonSpent'),
    accuracy: weightedMean(evaluations.map((m) => ({ value: m.accuracy, n: m.n }))),
    loss: weightedMean(evaluations.map((m) => ({ value: m.loss, n: m.n }))),
    auc: weightedMean(evaluations.map((m) => ({ value: m.auc, n: m.n }))),
    n: evaluations.reduce((sum, m) => sum + m.n, 0),
    sites: evaluations.length,
  };
}

/** Every version's metrics, oldest first. */
export function metricsOverVersions(models: readonly Model[], rounds: readonly Round[]): VersionMetrics[] {
  return [...models].sort((a, b) => a.version - b.version).map((m) => versionMetrics(m, rounds));
}

/** The chart's rows: one per version, x = version; absent values are left out (recharts leaves a gap). */
export interface MetricsChartRow {
  version: number;
  round: number | null;
  trainLoss?: number;
  accuracy?: number;
  auc?: number;
}

export function metricsChartRows(metrics: readonly VersionMetrics[]): MetricsChartRow[] {
  return metrics.map((m) => ({
    version: m.version,
    round: m.round,
    ...(m.trainLoss === null ? {} : { trainLoss: m.trainLoss }),
    ...(m.accuracy === null ? {} : { accuracy: m.accuracy }),
    ...(m.auc === null ? {} : { auc: m.auc }),
  }));
}

/** The chart's text alternative: where the metrics stand at the latest version, and where they started. */
export function metricsSummary(metrics: readonly VersionMetrics[]): string {
  const last = metrics.at(-1);
  if (!last) return 'No model version yet.';
  const first = metrics[0]!;
  const part = (label: string, value: number | null, format: (v: number) => string) => (value === null ? null : `${label} ${format(value)}`);
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const dec = (v: number) => v.toFixed(3);
  const now = [part('training loss', last.trainLoss, dec), part('validation accuracy', last.accuracy, pct), part('validation AUC', last.auc, dec)].filter(Boolean);
  const head = `Model version ${last.version}${last.round === null ? '' : ` (round ${last.round})`}: ${now.length ? now.join(', ') : 'no metrics yet'}.`;
  if (metrics.length < 2) return head;
  const then = [part('training loss', first.trainLoss, dec), part('validation accuracy', first.accuracy, pct), part('validation AUC', first.auc, dec)].filter(Boolean);
  return then.length ? `${head} Version ${first.version}: ${then.join(', ')}.` : head;
}
