import type { EvalMetrics, StudySpec } from '@consilium/schemas';
import type { BaselineResult } from '../baseline/centralized-baseline.ts';
import { latestModel, type LocalConsortiumResult } from '../orchestrator/index.ts';
import { poolSiteMetrics, type PooledMetrics } from './pooled-metrics.ts';

/** A model's metrics on every site's held-out rows, and pooled over them. */
export interface ModelMetrics {
  overall: PooledMetrics | null;
  sites: Record<string, EvalMetrics>;
}

/** What `--out` writes: the study's outcome, federated against centralized, and its costs. */
export interface DemoResult {
  study: {
    id: string;
    name: string;
    status: string;
    failureReason: string | null;
    secureAggregation: StudySpec['privacy']['secureAggregation'];
    model: StudySpec['model']['type'];
    sites: string[];
    plannedRounds: number;
    /** Training rounds that produced a model. */
    completedRounds: number;
  };
  /** The final global model, as the sites evaluated it. */
  federated: ModelMetrics;
  /** The pooled-data model (null when the study failed before it was worth training). */
  centralized: { overall: PooledMetrics; sites: Record<string, EvalMetrics>; epochs: number; trainRows: number; trainMs: number } | null;
  wallMs: number;
  phasesMs: LocalConsortiumResult['phasesMs'];
  /** Per round index (0 = statistics round). */
  roundTimesMs: Array<number | null>;
  uploadedBytes: {
    total: number;
    perSite: Record<string, number>;
    perSitePerRound: Record<string, number[]>;
  };
  logsDir: string;
}

/** Gathers the run's outcome into the result that is printed and written with `--out`. */
export function buildDemoResult(run: LocalConsortiumResult, spec: StudySpec, baseline: BaselineResult | null): DemoResult {
  const { progress } = run;
  const final = latestModel(progress);
  const federatedSites: Record<string, EvalMetrics> = {};
  // In the sites' order, not the order the evaluations arrived in.
  for (const site of progress.sites) {
    const evaluation = final?.evaluations.find((e) => e.siteId === site.siteId);
    if (evaluation) federatedSites[site.name] = evaluation.metrics;
  }
  const evaluations = Object.values(federatedSites);
  const perSite = Object.fromEntries(Object.entries(run.uploads).map(([name, u]) => [name, u.total]));
  return {
    study: {
      id: progress.id,
      name: progress.name,
      status: progress.status,
      failureReason: progress.failureReason,
      secureAggregation: spec.privacy.secureAggregation,
      model: spec.model.type,
      sites: progress.sites.map((s) => s.name),
      plannedRounds: spec.training.rounds,
      completedRounds: progress.models.length,
    },
    federated: { overall: evaluations.length > 0 ? poolSiteMetrics(evaluations) : null, sites: federatedSites },
    centralized: baseline && {
      overall: baseline.overall,
      sites: baseline.sites,
      epochs: baseline.epochs,
      trainRows: baseline.trainRows,
      trainMs: Math.round(baseline.trainMs),
    },
    wallMs: Math.round(run.wallMs),
    phasesMs: {
      hubStart: Math.round(run.phasesMs.hubStart),
      enrolment: Math.round(run.phasesMs.enrolment),
      study: Math.round(run.phasesMs.study),
    },
    roundTimesMs: run.roundTimesMs,
    uploadedBytes: {
      total: Object.values(perSite).reduce((a, b) => a + b, 0),
      perSite,
      perSitePerRound: run.uploadedBytesPerSitePerRound,
    },
    logsDir: run.logsDir,
  };
}
