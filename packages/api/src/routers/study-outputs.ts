import type { StudyProgress } from '@consilium/domain';
import { EvalMetrics, RoundKind, RoundStatus, StudyConsent, StudySpec, StudyStatus } from '@consilium/schemas';
import { z } from 'zod';

/** Output shapes of the studies router. Dates travel as ISO strings (no transformer needed by clients). */
const iso = z.string();

export const StudySummaryOutput = z.object({
  id: z.string(),
  name: z.string(),
  status: StudyStatus,
  leadUserId: z.string().nullable(),
  secureAggregation: z.string(),
  sites: z.number(),
  modelVersions: z.number(),
  plannedRounds: z.number(),
  createdAt: iso,
  /** Set while the study is paused. */
  pausedAt: iso.nullable(),
});

export const StudyProgressOutput = z.object({
  id: z.string(),
  name: z.string(),
  status: StudyStatus,
  failureReason: z.string().nullable(),
  spec: StudySpec,
  createdAt: iso,
  startedAt: iso.nullable(),
  completedAt: iso.nullable(),
  /** Set while the study is paused. */
  pausedAt: iso.nullable(),
  /** When and why the study was stopped (status `stopped`). */
  stoppedAt: iso.nullable(),
  stopReason: z.string().nullable(),
  publicKeyHash: z.string().nullable(),
  totalSamples: z.number().nullable(),
  statistics: z.unknown(),
  sites: z.array(
    z.object({
      siteId: z.string(),
      name: z.string(),
      lastSeenAt: iso.nullable(),
      agentVersion: z.string().nullable(),
      backend: z.string().nullable(),
      keySharePublished: z.boolean(),
      /** The site's decision on the study: only `approved` sites take part. */
      consent: StudyConsent,
      consentDecidedAt: iso.nullable(),
    }),
  ),
  rounds: z.array(
    z.object({
      id: z.string(),
      index: z.number(),
      kind: RoundKind,
      status: RoundStatus,
      openedAt: iso,
      deadlineAt: iso,
      decryptDeadlineAt: iso.nullable(),
      completedAt: iso.nullable(),
      failureReason: z.string().nullable(),
      participants: z.array(z.string()),
      submitted: z.array(z.string()),
      decryptors: z.array(z.string()),
      decrypted: z.array(z.string()),
      uploadedBytes: z.number(),
      result: z.unknown(),
    }),
  ),
  models: z.array(
    z.object({
      id: z.string(),
      version: z.number(),
      roundId: z.string(),
      parametersHash: z.string(),
      metrics: z.unknown(),
      evaluations: z.array(z.object({ siteId: z.string(), siteName: z.string(), final: z.boolean(), metrics: EvalMetrics })),
      pooled: z.object({ n: z.number(), accuracy: z.number(), loss: z.number(), meanAuc: z.number().nullable() }).nullable(),
    }),
  ),
});
export type StudyProgressOutput = z.infer<typeof StudyProgressOutput>;

const toIso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toStudyProgressOutput(p: StudyProgress): StudyProgressOutput {
  return {
    ...p,
    createdAt: p.createdAt.toISOString(),
    startedAt: toIso(p.startedAt),
    completedAt: toIso(p.completedAt),
    pausedAt: toIso(p.pausedAt),
    stoppedAt: toIso(p.stoppedAt),
    sites: p.sites.map((s) => ({ ...s, lastSeenAt: toIso(s.lastSeenAt), consentDecidedAt: toIso(s.consentDecidedAt) })),
    rounds: p.rounds.map((r) => ({
      ...r,
      openedAt: r.openedAt.toISOString(),
      deadlineAt: r.deadlineAt.toISOString(),
      decryptDeadlineAt: toIso(r.decryptDeadlineAt),
      completedAt: toIso(r.completedAt),
    })),
  };
}
