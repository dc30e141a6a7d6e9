import { syntheticStudySpec } from '@consilium/data/synthetic';
import { parseStudySpec, type EvalMetrics } from '@consilium/schemas';
import type { StudyProgress } from '../src/orchestrator/index.ts';

type Round = StudyProgress['rounds'][number];
type Model = StudyProgress['models'][number];

export const SITE_A = { siteId: 'site-a', name: 'Alpha Hospital' };
export const SITE_B = { siteId: 'site-b', name: 'Beta Clinic' };

/** Metrics as a site reports them. */
export function metrics(n: number, accuracy: number, loss: number, auc: number | null): EvalMetrics {
  return { n, accuracy, loss, auc, positiveRate: 0.3 };
}

/** A round of a two-site study; times are seconds after 12:00:00. */
export function round(index: number, fields: Partial<Round> & { openedS?: number; completedS?: number | null } = {}): Round {
  const { openedS = index * 10, completedS = openedS + 2, ...rest } = fields;
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s)).toISOString();
  return {
    id: `round-${index}`,
    index,
    kind: index === 0 ? 'stats' : 'train',
    status: completedS === null ? 'collecting' : 'complete',
    openedAt: at(openedS),
    deadlineAt: at(openedS + 600),
    decryptDeadlineAt: null,
    completedAt: completedS === null ? null : at(completedS),
    failureReason: null,
    participants: [SITE_A.siteId, SITE_B.siteId],
    submitted: [SITE_A.siteId, SITE_B.siteId],
    decryptors: completedS === null ? [] : [SITE_A.siteId, SITE_B.siteId],
    decrypted: completedS === null ? [] : [SITE_A.siteId, SITE_B.siteId],
    uploadedBytes: 2000,
    result: null,
    ...rest,
  };
}

/** A model produced by round `version`, evaluated by the given sites. */
export function model(version: number, evaluations: Array<{ site: { siteId: string; name: string }; metrics: EvalMetrics }>): Model {
  const n = evaluations.reduce((s, e) => s + e.metrics.n, 0);
  return {
    id: `model-${version}`,
    version,
    roundId: `round-${version}`,
    parametersHash: 'ab'.repeat(32),
    metrics: null,
    evaluations: evaluations.map((e) => ({ siteId: e.site.siteId, siteName: e.site.name, final: true, metrics: e.metrics })),
    pooled:
      n === 0
        ? null
        : {
            n,
            accuracy: evaluations.reduce((s, e) => s + e.metrics.accuracy * e.metrics.n, 0) / n,
            loss: evaluations.reduce((s, e) => s + e.metrics.loss * e.metrics.n, 0) / n,
            meanAuc: null,
          },
  };
}

/** A two-site study's progress (running, nothing done yet unless overridden). */
export function progress(fields: Partial<StudyProgress> = {}): StudyProgress {
  const spec = parseStudySpec({ ...syntheticStudySpec(), training: { ...syntheticStudySpec().training, rounds: 2 } });
  return {
    id: 'study-1',
    name: spec.name,
    status: 'running',
    failureReason: null,
    spec,
    createdAt: new Date(Date.UTC(2025, 0, 1, 11, 59)).toISOString(),
    startedAt: new Date(Date.UTC(2025, 0, 1, 12)).toISOString(),
    completedAt: null,
    pausedAt: null,
    stoppedAt: null,
    stopReason: null,
    publicKeyHash: null,
    totalSamples: 100,
    sites: [SITE_A, SITE_B].map((s) => ({
      ...s,
      lastSeenAt: null,
      agentVersion: '0.1.0',
      backend: 'wasm',
      keySharePublished: true,
      consent: 'approved' as const,
      consentDecidedAt: null,
    })),
    rounds: [],
    models: [],
    ...fields,
  };
}
