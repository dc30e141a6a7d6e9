import { describe, expect, it } from 'vitest';
import { checkParticipationHarm, checkValidationReports } from './anomalies.ts';
import type { RoundOutcome, ValidationReport } from './anomalies.ts';
import { seededRandom } from '../test/mini-fl.ts';

const report = (siteId: string, accuracy: number, loss = 0.3): ValidationReport => ({ siteId, round: 4, metrics: { accuracy, loss } });

describe('checkValidationReports', () => {
  it('flags a report far from the median, with the numbers that justify the flag', () => {
    // Arrange: five consistent sites and a label flipper whose model looks terrible on its data.
    const reports = [report('a', 0.91), report('b', 0.9), report('c', 0.92), report('d', 0.89), report('e', 0.91), report('flipper', 0.08, 2.1)];

    // Act
    const { evidence, maxAbsZ } = checkValidationReports(reports, { metrics: ['accuracy', 'loss'] });

    // Assert
    const accuracy = evidence.find((e) => e.kind === 'metric' && e.metric === 'accuracy');
    expect(accuracy).toMatchObject({ kind: 'metric', siteId: 'flipper', round: 4, reason: 'metric-outlier', value: 0.08, median: expect.closeTo(0.905, 9), mad: expect.closeTo(0.01, 9), threshold: 3.5 });
    expect(accuracy?.kind === 'metric' && accuracy.z).toBeLessThan(-3.5);
    expect(evidence.every((e) => e.siteId === 'flipper')).toBe(true);
    expect(maxAbsZ.get('flipper')).toBeGreaterThan(20);
    expect(maxAbsZ.get('a')).toBeLessThan(1);
  });

  it('does not flag an honest site that differs by less than the minimum meaningful spread', () => {
    // Arrange: everyone agrees to 3 decimals except a site with a different population, 4 points lower.
    const reports = [report('a', 0.95), report('b', 0.951), report('c', 0.95), report('rare', 0.91)];

    // Act
    const loose = checkValidationReports(reports, { metrics: ['accuracy'], minScale: 0.03 });
    const strict = checkValidationReports(reports, { metrics: ['accuracy'], minScale: 0.001 });

    // Assert
    expect(loose.evidence).toEqual([]);
    expect(strict.evidence.map((e) => e.siteId)).toEqual(['rare']);
  });

  it('compares with the aggregate metric, without flagging honest sites for an attacker dragging it', () => {
    // Arrange: the aggregate is a held-out-weighted mean, so it includes the flipper. With a small
    // held-out set the flipper pulls it a little; with a large one, a lot.
    const reports = [report('a', 0.91), report('b', 0.9), report('c', 0.92), report('d', 0.89), report('e', 0.91), report('flipper', 0.08)];

    // Act
    const slightPull = checkValidationReports(reports, { metrics: ['accuracy'], aggregate: { accuracy: 0.86 } });
    const heavyPull = checkValidationReports(reports, { metrics: ['accuracy'], aggregate: { accuracy: 0.6 } });

    // Assert
    const disagreeing = (r: typeof slightPull) => r.evidence.filter((e) => e.reason === 'aggregate-disagreement').map((e) => e.siteId);
    expect(disagreeing(slightPull)).toEqual(['flipper']);
    expect(slightPull.evidence.find((e) => e.reason === 'aggregate-disagreement')).toMatchObject({ reference: 0.86 });
    expect(disagreeing(heavyPull)).toEqual([]);
    expect(Math.max(...['a', 'b', 'c', 'd', 'e'].map((s) => heavyPull.maxAbsZ.get(s)!))).toBeLessThan(2.5);
    // The median check still catches the flipper, whatever the aggregate did.
    expect(heavyPull.evidence.map((e) => [e.siteId, e.reason])).toEqual([['flipper', 'metric-outlier']]);
  });

  it('uses the aggregate alone, on the minScale, when too few sites reported for a median to mean anything', () => {
    // Arrange: two reports; the median cannot say which one is odd, but the aggregate (weighted
    // towards the site with far more held-out data) can.
    const reports = [report('a', 0.9), report('b', 0.2)];

    // Act
    const withoutAggregate = checkValidationReports(reports, { metrics: ['accuracy'] });
    const withAggregate = checkValidationReports(reports, { metrics: ['accuracy'], aggregate: { accuracy: 0.88 }, minScale: 0.05 });

    // Assert
    expect(withoutAggregate.evidence).toEqual([]);
    expect(withAggregate.evidence.map((e) => [e.siteId, e.reason])).toEqual([['b', 'aggregate-disagreement']]);
    expect(withAggregate.maxAbsZ.get('a')).toBeCloseTo(0.4, 9);
  });

  it('turns missing and non-finite metrics into invalid-submission evidence, not exceptions', () => {
    // Arrange
    const reports: ValidationReport[] = [report('a', 0.9), report('b', 0.91), { siteId: 'c', round: 4, metrics: { accuracy: NaN, loss: 0.3 } }, { siteId: 'd', round: 4, metrics: { loss: 0.3 } }];

    // Act
    const { evidence, maxAbsZ } = checkValidationReports(reports, { metrics: ['accuracy'] });

    // Assert
    expect(evidence.map((e) => [e.siteId, e.reason])).toEqual([
      ['c', 'non-finite-metric'],
      ['d', 'missing-metric'],
    ]);
    expect(maxAbsZ.get('c')).toBe(Infinity);
  });

  it('refuses duplicate reports and mixed rounds (an upstream bug, not a statistic)', () => {
    expect(() => checkValidationReports([report('a', 0.9), report('a', 0.8)], { metrics: ['accuracy'] })).toThrow(/two validation reports/);
    expect(() => checkValidationReports([report('a', 0.9), { ...report('b', 0.8), round: 5 }], { metrics: ['accuracy'] })).toThrow(/mixed/);
    expect(() => checkValidationReports([], { metrics: [] })).toThrow(/at least one metric/);
  });
});

describe('checkParticipationHarm', () => {
  it('finds the site whose participation makes rounds improve less, under random sampling', () => {
    // Arrange: 40 rounds, 4 of 7 sites sampled per round; each round improves by 0.01 ± noise,
    // minus 0.02 when the saboteur took part.
    const random = seededRandom(7);
    const sites = ['a', 'b', 'c', 'd', 'e', 'f', 'saboteur'];
    const history: RoundOutcome[] = [];
    for (let round = 1; round <= 40; round++) {
      const participants = [...sites].sort(() => random() - 0.5).slice(0, 4);
      const improvement = 0.01 + (random() - 0.5) * 0.004 - (participants.includes('saboteur') ? 0.02 : 0);
      history.push({ round, participants, improvement });
    }

    // Act
    const { evidence, impact } = checkParticipationHarm(history);

    // Assert
    expect(evidence.map((e) => e.siteId)).toEqual(['saboteur']);
    expect(evidence[0]).toMatchObject({ reason: 'participation-harm', metric: 'participation-impact', round: 40 });
    expect(impact.get('saboteur')).toBeLessThan(-0.015);
  });

  it('attributes nothing when every site takes part in every round', () => {
    // Arrange
    const history = Array.from({ length: 10 }, (_, i) => ({ round: i + 1, participants: ['a', 'b', 'c'], improvement: i % 2 === 0 ? -0.05 : 0.02 }));

    // Act
    const { evidence, impact } = checkParticipationHarm(history);

    // Assert
    expect(impact.size).toBe(0);
    expect(evidence).toEqual([]);
  });
});
