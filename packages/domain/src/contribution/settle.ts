import {
  openContribution,
  protocolViolation,
  settleRound,
  type ContributionState,
  type SiteOpening,
  type SiteRoundInput,
} from '@consilium/contribution';
import type { GlobalStatistics } from '@consilium/data';
import { contributionClaims, contributionSettlements, evaluations, modelVersions, protocolViolations, rounds, studies, studySites, submissions, type Transaction } from '@consilium/db';
import { ContributionClaim } from '@consilium/schemas';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { LoadedRound } from '../rounds/load-round.ts';
import { loadStudy, type LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import type { AuditEventInput } from '@consilium/audit';
import { describeError } from '@consilium/errors';
import { appendLedgerEntries, loadStudyLedger } from './ledger-store.ts';
import { contributionPolicy } from './policy.ts';

/**
 * Opens a study's contribution accounting when its statistics round completes (in that round's
 * transaction): funds the pool, stakes each site, fixes rarity from the decrypted label counts and
 * checks every site's signed declaration against them (docs/contribution.md).
 */
export async function openStudyContribution(
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  statsRound: LoadedRound,
  statistics: Pick<GlobalStatistics, 'totalSamples' | 'positives'>,
): Promise<void> {
  const claims = await tx.select().from(contributionClaims).where(eq(contributionClaims.roundId, statsRound.row.id));
  const bySite = new Map(claims.map((c) => [c.siteId, ContributionClaim.safeParse(c.claim).data] as const));
  const sites: SiteOpening[] = statsRound.row.participants.map((siteId) => {
    const claim = bySite.get(siteId);
    const declaration = claim?.kind === 'declaration' ? claim : null;
    return {
      siteId,
      declaration: declaration ? { datasetSize: declaration.trainRows, heldOutSize: declaration.heldOutRows } : null,
      labelCounts: declaration ? declaration.labelCounts : null,
    };
  });
  const opened = openContribution({
    studyId: study.row.id,
    rounds: study.spec.training.rounds,
    aggregateLabelCounts: [statistics.totalSamples - statistics.positives, statistics.positives],
    sites,
    policy: contributionPolicy(study.spec, 1),
  });
  const ledger = await loadStudyLedger(tx, study.row.id);
  await appendLedgerEntries(tx, study.row.id, ledger, opened.entries);
  await tx.insert(contributionSettlements).values({ studyId: study.row.id, round: 0, modelVersionId: null, state: opened.state, records: [], evidence: opened.evidence });
  audit.record({
    action: 'contribution.opened',
    actor: 'hub',
    studyId: study.row.id,
    roundId: statsRound.row.id,
    payload: {
      sites: sites.length,
      declarations: sites.filter((s) => s.declaration).length,
      rarity: Object.fromEntries(Object.entries(opened.state.sites).map(([id, s]) => [id, s.rarity])),
      evidence: opened.evidence.map((e) => ({ ...e })),
      entries: opened.entries.map((e) => e.id),
    },
  });
}

/**
 * Settles, in order, every published model version whose validation window has closed: all of the
 * study's sites have reported on it, or the study's round deadline has passed since it was
 * published (sites are asked to evaluate every model whose round is still open). Idempotent and safe from several hub
 * replicas at once: it works under the study's row lock. Returns how many rounds it settled.
 */
export async function settleDueRounds(ctx: DomainContext, tx: Transaction, audit: AuditTrail, studyId: string): Promise<number> {
  const [locked] = await tx.select({ id: studies.id }).from(studies).where(eq(studies.id, studyId)).for('update');
  if (!locked) return 0;
  const [last] = await tx.select().from(contributionSettlements).where(eq(contributionSettlements.studyId, studyId)).orderBy(desc(contributionSettlements.round)).limit(1);
  // No opening: the study predates contribution accounting, or its statistics round has not completed.
  if (!last) return 0;
  const study = await loadStudy(tx, studyId);
  const models = await tx
    .select({ id: modelVersions.id, version: modelVersions.version, roundId: modelVersions.roundId, parameterCount: modelVersions.parameterCount, createdAt: modelVersions.createdAt })
    .from(modelVersions)
    .where(eq(modelVersions.studyId, studyId))
    .orderBy(asc(modelVersions.version));
  const members = await tx.select({ siteId: studySites.siteId }).from(studySites).where(eq(studySites.studyId, studyId));
  const windowMs = study.spec.federation.roundDeadlineSeconds * 1000;

  let state = last.state as ContributionState;
  let settled = 0;
  for (const model of models) {
    if (model.version <= state.round) continue;
    if (model.version !== state.round + 1) break;
    const reports = await tx.select().from(evaluations).where(eq(evaluations.modelVersionId, model.id));
    const everyoneReported = members.every((m) => reports.some((r) => r.siteId === m.siteId));
    const windowClosed = ctx.now().getTime() >= model.createdAt.getTime() + windowMs;
    if (!everyoneReported && !windowClosed) break;

    const [round] = await tx.select().from(rounds).where(eq(rounds.id, model.roundId));
    const accepted = await tx.select({ siteId: submissions.siteId }).from(submissions).where(eq(submissions.roundId, model.roundId));
    const claims = await tx.select().from(contributionClaims).where(eq(contributionClaims.roundId, model.roundId));
    const inputs: SiteRoundInput[] = Object.keys(state.sites).map((siteId) => {
      const claim = ContributionClaim.safeParse(claims.find((c) => c.siteId === siteId)?.claim).data;
      const report = reports.find((r) => r.siteId === siteId);
      const metrics = report?.metrics as { accuracy: number; loss: number; auc: number | null; n: number } | undefined;
      return {
        siteId,
        asked: round?.participants.includes(siteId) ?? false,
        submitted: accepted.some((a) => a.siteId === siteId),
        claim: claim?.kind === 'training' ? { samples: claim.samples, epochs: claim.epochs } : null,
        report: metrics ? { metrics: { accuracy: metrics.accuracy, loss: metrics.loss, ...(metrics.auc === null ? {} : { auc: metrics.auc }) }, evaluatedSamples: metrics.n } : null,
      };
    });
    const refused = await tx.select().from(protocolViolations).where(eq(protocolViolations.roundId, model.roundId));
    const violations = refused.map((v) => protocolViolation(v.siteId, model.version, v.reason, v.detail));
    const ledger = await loadStudyLedger(tx, studyId);
    const result = settleRound(state, { studyId, round: model.version, sites: inputs, violations, ledger, policy: contributionPolicy(study.spec, model.parameterCount) });
    await appendLedgerEntries(tx, studyId, ledger, result.entries);
    await tx.insert(contributionSettlements).values({ studyId, round: model.version, modelVersionId: model.id, state: result.state, records: result.records, evidence: result.evidence });
    audit.record({
      action: 'contribution.round_settled',
      actor: 'hub',
      studyId,
      roundId: model.roundId,
      payload: {
        version: model.version,
        closedBy: everyoneReported ? 'all-reported' : 'deadline',
        rewards: Object.fromEntries(result.records.map((r) => [r.siteId, r.rewardMicro])),
        slashes: Object.fromEntries(result.records.filter((r) => r.slashedMicro !== '0').map((r) => [r.siteId, r.slashedMicro])),
        flagged: [...new Set(result.evidence.map((e) => e.siteId ?? 'consortium'))],
      },
    });
    for (const e of result.evidence) {
      audit.record({ action: 'contribution.anomaly_flagged', actor: 'hub', studyId, roundId: model.roundId, ...(e.siteId ? { siteId: e.siteId } : {}), payload: { version: model.version, evidence: { ...e } } });
    }
    for (const r of result.records.filter((x) => x.misconduct)) {
      audit.record({ action: 'contribution.misconduct_confirmed', actor: 'hub', studyId, siteId: r.siteId, roundId: model.roundId, payload: { version: model.version, basis: r.misconduct, slashedMicro: r.slashedMicro } });
    }
    state = result.state;
    settled += 1;
  }
  return settled;
}

/** Studies whose accounting may have a round to settle: opened, with a published model not yet settled. */
export async function studiesWithUnsettledRounds(db: Transaction | DomainContext['db']): Promise<string[]> {
  const rows = await db
    .selectDistinct({ studyId: modelVersions.studyId })
    .from(modelVersions)
    .innerJoin(contributionSettlements, and(eq(contributionSettlements.studyId, modelVersions.studyId), eq(contributionSettlements.round, 0)));
  const out: string[] = [];
  for (const { studyId } of rows) {
    const [latest] = await db.select({ version: modelVersions.version }).from(modelVersions).where(eq(modelVersions.studyId, studyId)).orderBy(desc(modelVersions.version)).limit(1);
    const [settled] = await db.select({ round: contributionSettlements.round }).from(contributionSettlements).where(eq(contributionSettlements.studyId, studyId)).orderBy(desc(contributionSettlements.round)).limit(1);
    if (latest && settled && latest.version > settled.round) out.push(studyId);
  }
  return out;
}

/**
 * Runs accounting work inside a savepoint of a transaction that does something else (publishing a
 * model, recording an evaluation): if the accounting fails, only it is rolled back, the caller's
 * change still commits, and the deadline ticker settles the round later. Accounting must never stop
 * a study from training.
 */
export async function withoutBlocking(
  tx: Transaction,
  audit: AuditTrail,
  studyId: string,
  work: (savepoint: Transaction, audit: AuditTrail) => Promise<unknown>,
): Promise<void> {
  const events: AuditEventInput[] = [];
  try {
    await tx.transaction(async (savepoint) => {
      await work(savepoint, { record: (event) => events.push(event) });
    });
    for (const event of events) audit.record(event);
  } catch (error) {
    audit.record({ action: 'contribution.settlement_deferred', actor: 'hub', studyId, payload: { reason: describeError(error) } });
  }
}
