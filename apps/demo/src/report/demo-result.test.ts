import { describe, expect, it } from 'vitest';
import { metrics, model, progress, round, SITE_A, SITE_B } from '../../test/progress-fixture.ts';
import type { BaselineResult } from '../baseline/centralized-baseline.ts';
import type { LocalConsortiumResult } from '../orchestrator/index.ts';
import { buildDemoResult, type DemoResult } from './demo-result.ts';
import { formatFinalReport } from './format-final-report.ts';
import { poolSiteMetrics } from './pooled-metrics.ts';

const finalA = metrics(100, 0.8, 0.45, 0.85);
const finalB = metrics(50, 0.7, 0.55, 0.75);

function consortiumRun(fields: Partial<LocalConsortiumResult['progress']> = {}): LocalConsortiumResult {
  const p = progress({
    status: 'completed',
    rounds: [round(0), round(1), round(2)],
    // The evaluations arrive in any order; the result lists sites in the hub's order.
    models: [model(1, [{ site: SITE_A, metrics: metrics(100, 0.6, 0.7, 0.6) }]), model(2, [{ site: SITE_B, metrics: finalB }, { site: SITE_A, metrics: finalA }])],
    ...fields,
  });
  return {
    studyId: p.id,
    hubUrl: 'http://127.0.0.1:4000',
    progress: p,
    wallMs: 42_345.6,
    phasesMs: { hubStart: 5_000.2, enrolment: 2_000.4, study: 35_345 },
    roundTimesMs: [1500, 1200, 1300],
    uploadedBytesPerSitePerRound: { [SITE_A.name]: [100, 200, 200], [SITE_B.name]: [100, 200, 200] },
    uploads: {
      [SITE_A.name]: { perRound: [100, 200, 200], keyShare: 1000, total: 1550 },
      [SITE_B.name]: { perRound: [100, 200, 200], keyShare: 1000, total: 1550 },
    },
    finalModel: null,
    workDir: '/work/.consilium/demo/run',
    logsDir: '/work/.consilium/demo/run/logs',
  };
}

const baseline: BaselineResult = {
  sites: { [SITE_A.name]: metrics(100, 0.85, 0.4, 0.9), [SITE_B.name]: metrics(50, 0.72, 0.5, 0.8) },
  overall: poolSiteMetrics([metrics(100, 0.85, 0.4, 0.9), metrics(50, 0.72, 0.5, 0.8)]),
  trainRows: 300,
  epochs: 4,
  trainMs: 812.3,
};

describe('buildDemoResult', () => {
  it('takes the final model\'s evaluations per site and pools them as the hub does', () => {
    const run = consortiumRun();
    const result = buildDemoResult(run, run.progress.spec, baseline);
    expect(Object.keys(result.federated.sites)).toEqual([SITE_A.name, SITE_B.name]);
    expect(result.federated.sites[SITE_A.name]).toEqual(finalA);
    expect(result.federated.overall?.accuracy).toBeCloseTo((0.8 * 100 + 0.7 * 50) / 150, 12);
    expect(result.federated.overall?.meanAuc).toBeCloseTo(0.8, 12);
    expect(result.study).toMatchObject({ status: 'completed', plannedRounds: 2, completedRounds: 2, secureAggregation: 'ckks-multiparty', sites: [SITE_A.name, SITE_B.name] });
    expect(result.centralized).toMatchObject({ epochs: 4, trainRows: 300, trainMs: 812 });
    expect(result.uploadedBytes).toEqual({ total: 3100, perSite: { [SITE_A.name]: 1550, [SITE_B.name]: 1550 }, perSitePerRound: run.uploadedBytesPerSitePerRound });
    expect(result.wallMs).toBe(42_346);
    // What --out writes must survive JSON.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('has no federated metrics and no baseline for a study that failed before any model', () => {
    const run = consortiumRun({ status: 'failed', failureReason: 'the key ceremony timed out', models: [] });
    const result = buildDemoResult(run, run.progress.spec, null);
    expect(result.federated).toEqual({ overall: null, sites: {} });
    expect(result.centralized).toBeNull();
    expect(result.study.failureReason).toBe('the key ceremony timed out');
  });
});

describe('formatFinalReport', () => {
  const run = consortiumRun();
  const result: DemoResult = buildDemoResult(run, run.progress.spec, baseline);
  const text = formatFinalReport(result, { display: (f) => f.replace('/work/', ''), dataDir: '/work/.consilium/demo/run/data' });
  const lines = text.split('\n');

  it('puts federated and centralized metrics side by side, per site and pooled', () => {
    expect(lines.find((l) => l.startsWith(SITE_A.name))?.split(/\s+/).slice(-7)).toEqual(['100', '0.800', '0.450', '0.850', '0.850', '0.400', '0.900']);
    expect(lines.find((l) => l.startsWith('All sites'))?.split(/\s+/).slice(-7)).toEqual(['150', '0.767', '0.483', '0.800', '0.807', '0.433', '0.850']);
    expect(text).toContain('Federated (final)');
    expect(text).toContain('Centralized (pooled)');
  });

  it('states the gap, the wall time, the bytes and where the files are', () => {
    expect(text).toContain('Federated minus centralized: accuracy −4.0 points, loss +0.050, AUC −0.050.');
    expect(text).toContain('Wall time: 42.3 s (hub start 5.0 s, enrolment 2.0 s, study 35.3 s); centralized training 0.8 s.');
    expect(text).toContain('Uploaded: 3.1 kB by 2 sites (1.6 kB per site; about 167 B per site per round).');
    expect(text).toContain('Data: .consilium/demo/run/data');
    expect(text).toContain('Logs: .consilium/demo/run/logs');
  });
});
