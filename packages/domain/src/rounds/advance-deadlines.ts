import { rounds, studies, studySites, sites, type Executor } from '@consilium/db';
import { describeError } from '@consilium/errors';
import { and, asc, eq, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { pruneRequestNonces } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { failStudy } from '../studies/finish-study.ts';
import { settleDueRounds, studiesWithUnsettledRounds } from '../contribution/settle.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { answeredDecryptors, chooseDecryptors } from './choose-decryptors.ts';
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
 * is failed with the reason and never holds up the others. A paused study's deadlines do not run
 * out (resuming moves them by the pause, see studies/lifecycle.ts): its items are skipped.
 */
export async function advanceDeadlines(ctx: DomainContext): Promise<AdvanceReport> {
  const report: AdvanceReport = { closed: 0, failedRounds: 0, failedStudies: 0, errors: [] };
  const now = ctx.now();

  const dueCollecting = await ctx.db
    .select({ id: rounds.id })
    .from(rounds)
    .innerJoin(studies, eq(studies.id, rounds.studyId))
    .where(and(inArray(rounds.status, ['open', 'collecting']), lt(rounds.deadlineAt, now), isNull(studies.pausedAt)))
    .orderBy(asc(rounds.deadlineAt));
  for (const { id } of dueCollecting) {
    await isolated(ctx, report, `round ${id}`, id, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const round = await loadRound(tx, id, { forUpdate: true });
        if (!isCollecting(round.row) || round.row.deadlineAt.getTime() >= ctx.now().getTime()) return;
        const study = await loadStudy(tx, round.row.studyId);
        if (study.row.pausedAt) return;
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
    .innerJoin(studies, eq(studies.id, rounds.studyId))
    .where(and(eq(rounds.status, 'decrypting'), or(lt(rounds.attemptDeadlineAt, now), lt(rounds.decryptDeadlineAt, now)), isNull(studies.pausedAt)))
    .orderBy(asc(rounds.decryptDeadlineAt));
  for (const { id } of dueDecrypting) {
    await isolated(ctx, report, `round ${id}`, id, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const round = await loadRound(tx, id, { forUpdate: true });
        const t = ctx.now().getTime();
        const attemptOver = round.row.attemptDeadlineAt !== null && round.row.attemptDeadlineAt.getTime() < t;
        const roundOver = round.row.decryptDeadlineAt !== null && round.row.decryptDeadlineAt.getTime() < t;
        if (round.row.status !== 'decrypting' || (!attemptOver && !roundOver)) return;
        const study = await loadStudy(tx, round.row.studyId);
        if (study.row.pausedAt) return;
        const answered = await answeredDecryptors(tx, round);
        const silent = round.row.decryptors.filter((d) => !answered.includes(d));
        const missing = await siteNames(tx, silent);
        if (!roundOver) {
          // The next attempt asks t members outside every earlier set (see chooseDecryptors for why
          // those who did answer cannot be asked again for the same aggregate).
          const chosen = await chooseDecryptors(ctx, tx, audit, study, round, [...new Set([...round.row.excludedDecryptors, ...round.row.decryptors])]);
          if (chosen.ok) return;
          await failRound(ctx, tx, audit, study, round, `partial decryptions missing from ${missing.join(', ')}; ${chosen.reason}`);
        } else {
          await failRound(ctx, tx, audit, study, round, `only ${answered.length} of the ${round.row.decryptors.length} decryptors needed answered before the decryption deadline (missing: ${missing.join(', ')})`);
        }
        report.failedRounds += 1;
      }),
    );
  }

  const keygen = await ctx.db.select({ id: studies.id }).from(studies).where(and(eq(studies.status, 'keygen'), isNull(studies.pausedAt)));
  for (const { id } of keygen) {
    await isolated(ctx, report, `study ${id}`, null, async () =>
      inTransaction(ctx.db, ctx.now, async (tx, audit) => {
        const study = await loadStudy(tx, id, { forUpdate: true });
        const started = study.row.ceremonyStartedAt ?? study.row.startedAt;
        if (study.row.status !== 'keygen' || !started || study.row.pausedAt) return;
        const deadline = started.getTime() + study.spec.federation.roundDeadlineSeconds * 1000;
        if (ctx.now().getTime() <= deadline) return;
        const members = await tx.select().from(studySites).where(eq(studySites.studyId, id));
        const committee = study.row.committee ?? [];
        // Name the stage the ceremony is stuck at and the members it waits for (later stages wait on it).
        const rows = committee.map((siteId) => members.find((m) => m.siteId === siteId)!);
        const stages = [
          { what: 'public-key share', done: (m: (typeof rows)[number]) => m.keyShare !== null },
          { what: 'dealt shares', done: (m: (typeof rows)[number]) => m.dealtAt !== null },
          { what: 'key confirmation', done: (m: (typeof rows)[number]) => m.confirmedPublicKeyHash !== null },
        ];
        const stuck = stages.find((stage) => rows.some((m) => !stage.done(m))) ?? stages[2]!;
        const names = await siteNames(tx, rows.filter((m) => !stuck.done(m)).map((m) => m.siteId));
        const missing = [`no ${stuck.what} from ${names.join(', ')}`];
        await failStudy(ctx, tx, audit, study, `key ceremony (epoch ${study.row.keyEpoch}) incomplete at its deadline: ${missing.join(', ')}`);
        report.failedStudies += 1;
      }),
    );
  }

  // Contribution accounting: rounds whose validation window closed without every site reporting.
  const paused = new Set(await pausedStudyIds(ctx));
  for (const id of await studiesWithUnsettledRounds(ctx.db)) {
    if (paused.has(id)) continue;
    await isolated(ctx, report, `contribution of study ${id}`, null, async () => {
      await inTransaction(ctx.db, ctx.now, (tx, audit) => settleDueRounds(ctx, tx, audit, id));
    });
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

/** Studies paused now: their validation windows wait too. */
async function pausedStudyIds(ctx: DomainContext): Promise<string[]> {
  return (await ctx.db.select({ id: studies.id }).from(studies).where(isNotNull(studies.pausedAt))).map((r) => r.id);
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
