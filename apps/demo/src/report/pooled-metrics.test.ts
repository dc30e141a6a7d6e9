import { describe, expect, it } from 'vitest';
import { metrics } from '../../test/progress-fixture.ts';
import { poolSiteMetrics } from './pooled-metrics.ts';

describe('poolSiteMetrics', () => {
  it('weights accuracy and loss by test rows and averages the AUCs', () => {
    const pooled = poolSiteMetrics([metrics(100, 0.9, 0.2, 0.8), metrics(300, 0.7, 0.6, 0.6)]);
    expect(pooled.n).toBe(400);
    expect(pooled.accuracy).toBeCloseTo(0.75, 12);
    expect(pooled.loss).toBeCloseTo(0.5, 12);
    expect(pooled.meanAuc).toBeCloseTo(0.7, 12);
  });

  it('leaves out sites without an AUC (one class only) and has none if no site has one', () => {
    expect(poolSiteMetrics([metrics(10, 1, 0.1, null), metrics(10, 0.5, 0.7, 0.9)]).meanAuc).toBe(0.9);
    expect(poolSiteMetrics([metrics(10, 1, 0.1, null)]).meanAuc).toBeNull();
  });

  it('gives zeros, not NaN, without any test rows', () => {
    expect(poolSiteMetrics([])).toEqual({ n: 0, accuracy: 0, loss: 0, meanAuc: null });
  });
});
