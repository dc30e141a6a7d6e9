import { rounds, studies, studySites, decryptionShares, sites, type Executor } from '@consilium/db';
import { describeError } from '@consilium/errors';
import { and, asc, eq, inArray, lt, isNull } from 'drizzle-orm';
import { pruneRequestNonces } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { failStudy } from '../studies/finish-study.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { closeAggregation } from './close-aggregation.ts';
import { failRound } from './fail-round.ts';
import { isCollecting, loadRound } from './load-round.ts';

export interface AdvanceReport {
  closed: number;
  failedRounds: number;
  failedStudies: number;
  /** Items that could not be advanced (each was failed with the reason where possible). */
  errors: Array<{ item: string; message: string }>;
}

/**
 * Enforces deadlines. Called periodically by the hub (and safe to call from several hub replicas at
 * once: each item is re-checked under its row lock). State lives only in the database, so a hub that
 * restarts simply carries on from here. Each item is handled on its own: one that cannot be advanced
 * is failed with the reason and never holds up the others.
 */
export async function advanceDeadlines(ctx: DomainContext): Promise<AdvanceReport> {
  const report: AdvanceReport = { closed: 0, failedRounds: 0, failedStudies: 0, errors: [] };
  const now = ctx.now();

  const dueCollecting = await ctx.db
    .select({ id: rounds.id })
    .from(rounds)
    .where(and(inArray(rounds.status, ['open', 'collecting']), lt(rounds.deadlineAt, now)))
    .orderBy(asc(rounds.deadlineAt));
  for (const { id } of dueCollecting) {
    await isolated(ctx, report, `round ${id}`, id, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const round = await loadRound(tx, id, { forUpdate: true });
        if (!isCollecting(round.row) || round.row.deadlineAt.getTime() >= ctx.now().getTime()) return;
        const study = await loadStudy(tx, round.row.studyId);
        const { submissionCount, participants } = round.row;
        const min = study.spec.federation.minSitesPerRound;
        if (round.row.kind === 'stats' && submissionCount < participants.length) {
          // The statistics round fixes N (the FedAvg weights' denominator) and the standardisation
          // every site uses: a site missing from it could not train consistently later.
          await failRound(ctx, tx, audit, study, round, `the statistics round needs every site; only ${submissionCount} of ${participants.length} submitted before the deadline`);
          report.failedRounds += 1;
        } else if (submissionCount >= min) {
          await closeAggregation(ctx, tx, audit, study, round, `deadline reached with ${submissionCount} of ${participants.length} submissions`);
          report.closed += 1;
        } else {
          await failRound(ctx, tx, audit, study, round, `only ${submissionCount} of ${participants.length} sites submitted before the deadline; at least ${min} are required`);
          report.failedRounds += 1;
        }
      }),
    );
  }

  const dueDecrypting = await ctx.db
    .select({ id: rounds.id })
    .from(rounds)
    .where(and(eq(rounds.status, 'decrypting'), lt(rounds.decryptDeadlineAt, now)))
    .orderBy(asc(rounds.decryptDeadlineAt));
  for (const { id } of dueDecrypting) {
    await isolated(ctx, report, `round ${id}`, id, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const round = await loadRound(tx, id, { forUpdate: true });
        if (round.row.status !== 'decrypting' || !round.row.decryptDeadlineAt || round.row.decryptDeadlineAt.getTime() >= ctx.now().getTime()) return;
        const study = await loadStudy(tx, round.row.studyId);
        const answered = await tx.select({ siteId: decryptionShares.siteId }).from(decryptionShares).where(eq(decryptionShares.roundId, id));
        const missing = await siteNames(tx, round.row.participants.filter((p) => !answered.some((a) => a.siteId === p)));
        await failRound(ctx, tx, audit, study, round, `partial decryptions missing from ${missing.join(', ')} at the deadline (every key holder is needed)`);
        report.failedRounds += 1;
      }),
    );
  }

  const keygen = await ctx.db.select({ id: studies.id }).from(studies).where(eq(studies.status, 'keygen'));
  for (const { id } of keygen) {
    await isolated(ctx, report, `study ${id}`, null, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const study = await loadStudy(tx, id, { forUpdate: true });
        if (study.row.status !== 'keygen' || !study.row.startedAt) return;
        const deadline = study.row.startedAt.getTime() + study.spec.federation.roundDeadlineSeconds * 1000;
        if (ctx.now().getTime() <= deadline) return;
        const pending = await tx.select({ siteId: studySites.siteId }).from(studySites).where(and(eq(studySites.studyId, id), isNull(studySites.keyShare)));
        const missing = await siteNames(tx, pending.map((p) => p.siteId));
        await failStudy(ctx, tx, audit, study, `key ceremony incomplete at its deadline: no key share from ${missing.join(', ')}`);
        report.failedStudies += 1;
      }),
    );
  }

  await isolated(ctx, report, 'nonce pruning', null, () => pruneRequestNonces(ctx));
  return report;
}

/**
 * Runs one item's work; if it throws (say a round whose aggregate cannot be finalised), records the
 * error and fails that round with the reason in a fresh transaction, so the next tick moves on.
 */
async function isolated(ctx: DomainContext, report: AdvanceReport, item: string, roundId: string | null, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = describeError(error);
    report.errors.push({ item, message });
    if (!roundId) return;
    try {
      await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const round = await loadRound(tx, roundId, { forUpdate: true });
        if (round.row.status === 'complete' || round.row.status === 'failed') return;
        await failRound(ctx, tx, audit, await loadStudy(tx, round.row.studyId), round, `the hub could not advance this round: ${message}`);
        report.failedRounds += 1;
      });
    } catch (again) {
      report.errors.push({ item, message: `could not be failed either: ${describeError(again)}` });
    }
  }
}

/**
 * Site names for a failure reason. Runs on the caller's transaction: a query on another connection
 * would wait forever for it on PGlite, whose one connection the transaction holds.
 */
async function siteNames(tx: Executor, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx.select({ id: sites.id, name: sites.name }).from(sites).where(inArray(sites.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)?.name ?? id);
}
