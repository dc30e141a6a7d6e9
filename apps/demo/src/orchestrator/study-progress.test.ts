import { describe, expect, it } from 'vitest';
import { metrics, model, progress, round, SITE_A, SITE_B } from '../../test/progress-fixture.ts';
import { roundTimesMs } from './round-timings.ts';
import { describeStudyState, isStudyFinished, sitesMissingFinalEvaluation } from './study-progress.ts';

const evaluatedBy = (...sites: Array<typeof SITE_A>) => sites.map((site) => ({ site, metrics: metrics(50, 0.8, 0.4, 0.85) }));

describe('isStudyFinished', () => {
  it('waits, after completion, until every site has evaluated the final model', () => {
    const completed = progress({ status: 'completed', rounds: [round(0), round(1), round(2)], models: [model(1, evaluatedBy(SITE_A, SITE_B)), model(2, evaluatedBy(SITE_B))] });
    expect(sitesMissingFinalEvaluation(completed)).toEqual([SITE_A.name]);
    expect(isStudyFinished(completed, { awaitFinalEvaluations: true })).toBe(false);
    expect(isStudyFinished(completed, { awaitFinalEvaluations: false })).toBe(true);
    const evaluated = { ...completed, models: [model(1, []), model(2, evaluatedBy(SITE_A, SITE_B))] };
    expect(isStudyFinished(evaluated, { awaitFinalEvaluations: true })).toBe(true);
  });

  it('is finished as soon as the study failed, and never while it runs', () => {
    expect(isStudyFinished(progress({ status: 'failed', failureReason: 'x' }), { awaitFinalEvaluations: true })).toBe(true);
    expect(isStudyFinished(progress({ status: 'running', models: [model(1, evaluatedBy(SITE_A, SITE_B))] }), { awaitFinalEvaluations: true })).toBe(false);
  });
});

describe('describeStudyState', () => {
  it('says which round is waiting for whom', () => {
    const p = progress({ rounds: [round(0), round(1), round(2, { completedS: null, submitted: [SITE_A.siteId] })], models: [model(1, [])] });
    expect(describeStudyState(p)).toBe(`study running; 1/2 training rounds done; round 2 (train) collecting, waiting for ${SITE_B.name}`);
  });

  it('counts missing decryption shares, of the members asked, while a round is decrypting', () => {
    const p = progress({ rounds: [round(0, { status: 'decrypting', completedAt: null, decryptors: [SITE_A.siteId, SITE_B.siteId], decrypted: [SITE_B.siteId] })] });
    expect(describeStudyState(p)).toContain(`round 0 (stats) decrypting, waiting for ${SITE_A.name}`);
  });

  it('gives the reason of a failed study', () => {
    expect(describeStudyState(progress({ status: 'failed', failureReason: 'round 1 missed its deadline' }))).toContain('reason: round 1 missed its deadline');
  });
});

describe('roundTimesMs', () => {
  it('times each round from its opening to its completion, by round index', () => {
    const p = progress({ rounds: [round(0, { openedS: 0, completedS: 3 }), round(1, { openedS: 3, completedS: 4 }), round(2, { openedS: 4, completedS: null })] });
    expect(roundTimesMs(p)).toEqual([3000, 1000, null]);
  });
});
