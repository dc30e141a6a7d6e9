import { decryptionShares, evaluations, modelVersions, rounds, sites, studies, studySites, submissions, type StudyConsent } from '@consilium/db';
import { StudySpec, type EvalMetrics, type RoundKind, type RoundStatus, type StudyStatus } from '@consilium/schemas';
import { asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from './load-study.ts';

export interface StudySummary {
  id: string;
  name: string;
  status: StudyStatus;
  /** The study lead who manages it; null when only administrators do. */
  leadUserId: string | null;
  secureAggregation: string;
  sites: number;
  modelVersions: number;
  plannedRounds: number;
  createdAt: Date;
  /** Set while the study is paused. */
  pausedAt: Date | null;
}

/** Which studies a list shows: all, those a study lead leads, or those a site is a member of. */
export type StudyFilter = { kind: 'all' } | { kind: 'ledBy'; userId: string } | { kind: 'withSite'; siteId: string };

/** Studies, newest first, with their headline numbers. */
export async function listStudies(ctx: DomainContext, filter: StudyFilter = { kind: 'all' }): Promise<StudySummary[]> {
  const where =
    filter.kind === 'ledBy'
      ? eq(studies.leadUserId, filter.userId)
      : filter.kind === 'withSite'
        ? inArray(studies.id, ctx.db.select({ id: studySites.studyId }).from(studySites).where(eq(studySites.siteId, filter.siteId)))
        : undefined;
  const rows = await ctx.db.select().from(studies).where(where).orderBy(desc(studies.createdAt), desc(studies.id)); // the id only breaks ties, so the order is stable
  const siteCounts = await ctx.db.select({ studyId: studySites.studyId, n: count() }).from(studySites).groupBy(studySites.studyId);
  const modelCounts = await ctx.db.select({ studyId: modelVersions.studyId, n: count() }).from(modelVersions).groupBy(modelVersions.studyId);
  return rows.map((row) => {
    const spec = StudySpec.parse(row.spec);
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      leadUserId: row.leadUserId,
      secureAggregation: spec.privacy.secureAggregation,
      sites: siteCounts.find((c) => c.studyId === row.id)?.n ?? 0,
      modelVersions: modelCounts.find((c) => c.studyId === row.id)?.n ?? 0,
      plannedRounds: spec.training.rounds,
      createdAt: row.createdAt,
      pausedAt: row.pausedAt,
    };
  });
}

export interface SiteEvaluation {
  siteId: string;
  siteName: string;
  final: boolean;
  metrics: EvalMetrics;
}

export interface StudyProgress {
  id: string;
  name: string;
  status: StudyStatus;
  failureReason: string | null;
  spec: StudySpec;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** Set while the study is paused. */
  pausedAt: Date | null;
  /** When and why it was stopped (status `stopped`). */
  stoppedAt: Date | null;
  stopReason: string | null;
  publicKeyHash: string | null;
  totalSamples: number | null;
  /** Consortium feature statistics decrypted from the statistics round (null before it completes). */
  statistics: unknown;
  sites: Array<{
    siteId: string;
    name: string;
    lastSeenAt: Date | null;
    agentVersion: string | null;
    backend: string | null;
    keySharePublished: boolean;
    /** The site's decision on the study: only `approved` sites take part. */
    consent: StudyConsent;
    consentDecidedAt: Date | null;
  }>;
  rounds: Array<{
    id: string;
    index: number;
    kind: RoundKind;
    status: RoundStatus;
    openedAt: Date;
    deadlineAt: Date;
    decryptDeadlineAt: Date | null;
    completedAt: Date | null;
    failureReason: string | null;
    participants: string[];
    submitted: string[];
    /** The committee members asked to decrypt the current attempt (t of them; empty before sealing). */
    decryptors: string[];
    /** Those of `decryptors` whose share for the current attempt has arrived. */
    decrypted: string[];
    uploadedBytes: number;
    result: unknown;
  }>;
  models: Array<{
    id: string;
    version: number;
    roundId: string;
    parametersHash: string;
    metrics: unknown;
    evaluations: SiteEvaluation[];
    /** Metrics pooled over the sites' test sets (weighted by test size); AUC cannot be pooled and is averaged. */
    pooled: { n: number; accuracy: number; loss: number; meanAuc: number | null } | null;
  }>;
}

/** Everything a study lead watches: sites, each round's progress, each model and its evaluations. */
export async function getStudyProgress(ctx: DomainContext, studyId: string): Promise<StudyProgress> {
  const { row, spec } = await loadStudy(ctx.db, studyId);
  const members = await ctx.db
    .select({ site: sites, keyShareHash: studySites.keyShareHash, consent: studySites.consent, consentDecidedAt: studySites.consentDecidedAt })
    .from(studySites)
    .innerJoin(sites, eq(sites.id, studySites.siteId))
    .where(eq(studySites.studyId, studyId))
    .orderBy(asc(sites.name));
  const roundRows = await ctx.db.select().from(rounds).where(eq(rounds.studyId, studyId)).orderBy(asc(rounds.index));
  const roundIds = roundRows.map((r) => r.id);
  const subs = roundIds.length ? await ctx.db.select().from(submissions).where(inArray(submissions.roundId, roundIds)) : [];
  const shares = roundIds.length ? await ctx.db.select().from(decryptionShares).where(inArray(decryptionShares.roundId, roundIds)) : [];
  const models = await ctx.db.select().from(modelVersions).where(eq(modelVersions.studyId, studyId)).orderBy(asc(modelVersions.version));
  const evals = await ctx.db.select().from(evaluations).where(eq(evaluations.studyId, studyId));
  const nameOf = (siteId: string) => members.find((m) => m.site.id === siteId)?.site.name ?? siteId;

  return {
    id: row.id,
    name: row.name,
    status: row.status,
    failureReason: row.failureReason,
    spec,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    pausedAt: row.pausedAt,
    stoppedAt: row.stoppedAt,
    stopReason: row.stopReason,
    publicKeyHash: row.publicKeyHash,
    totalSamples: row.totalSamples,
    statistics: row.statistics,
    sites: members.map(({ site, keyShareHash, consent, consentDecidedAt }) => ({
      siteId: site.id,
      name: site.name,
      lastSeenAt: site.lastSeenAt,
      agentVersion: site.agentVersion,
      backend: site.backend,
      keySharePublished: keyShareHash !== null,
      consent,
      consentDecidedAt,
    })),
    rounds: roundRows.map((r) => {
      const roundSubs = subs.filter((s) => s.roundId === r.id);
      return {
        id: r.id,
        index: r.index,
        kind: r.kind,
        status: r.status,
        openedAt: r.openedAt,
        deadlineAt: r.deadlineAt,
        decryptDeadlineAt: r.decryptDeadlineAt,
        completedAt: r.completedAt,
        failureReason: r.failureReason,
        participants: r.participants,
        submitted: roundSubs.map((s) => s.siteId),
        decryptors: r.decryptors,
        decrypted: shares.filter((s) => s.roundId === r.id && s.attempt === r.decryptAttempt).map((s) => s.siteId),
        uploadedBytes: roundSubs.reduce((n, s) => n + s.payloadBytes, 0),
        result: r.result,
      };
    }),
    models: models.map((m) => {
      const siteEvals: SiteEvaluation[] = evals
        .filter((e) => e.modelVersionId === m.id)
        .map((e) => ({ siteId: e.siteId, siteName: nameOf(e.siteId), final: e.final, metrics: e.metrics as EvalMetrics }));
      return { id: m.id, version: m.version, roundId: m.roundId, parametersHash: m.parametersHash, metrics: m.metrics, evaluations: siteEvals, pooled: poolMetrics(siteEvals) };
    }),
  };
}

function poolMetrics(evals: SiteEvaluation[]): { n: number; accuracy: number; loss: number; meanAuc: number | null } | null {
  const n = evals.reduce((s, e) => s + e.metrics.n, 0);
  if (n === 0) return null;
  const aucs = evals.map((e) => e.metrics.auc).filter((a): a is number => a !== null);
  return {
    n,
    accuracy: evals.reduce((s, e) => s + e.metrics.accuracy * e.metrics.n, 0) / n,
    loss: evals.reduce((s, e) => s + e.metrics.loss * e.metrics.n, 0) / n,
    meanAuc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null,
  };
}
