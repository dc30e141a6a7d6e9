import type { EvalMetrics } from '@consilium/schemas';

/** Metrics over several sites' test sets. */
export interface PooledMetrics {
  /** Test rows in all. */
  n: number;
  /** Weighted by each site's test rows: the accuracy over all test rows. */
  accuracy: number;
  /** Weighted by each site's test rows: the mean log loss over all test rows. */
  loss: number;
  /** The mean of the sites' AUCs (an AUC cannot be pooled from per-site metrics); null if none has one. */
  meanAuc: number | null;
}

/**
 * Pools per-site metrics exactly as the hub pools the sites' evaluations of a model, so the
 * federated and the centralized numbers are computed the same way.
 */
export function poolSiteMetrics(metrics: readonly EvalMetrics[]): PooledMetrics {
  const n = metrics.reduce((sum, m) => sum + m.n, 0);
  const aucs = metrics.map((m) => m.auc).filter((auc): auc is number => auc !== null);
  const weighted = (pick: (m: EvalMetrics) => number) => (n === 0 ? 0 : metrics.reduce((sum, m) => sum + pick(m) * m.n, 0) / n);
  return {
    n,
    accuracy: weighted((m) => m.accuracy),
    loss: weighted((m) => m.loss),
    meanAuc: aucs.length === 0 ? null : aucs.reduce((a, b) => a + b, 0) / aucs.length,
  };
}
