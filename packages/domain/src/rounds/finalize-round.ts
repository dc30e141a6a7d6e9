import { globalStatistics } from '@consilium/data';
import { isAppError } from '@consilium/errors';
import { modelVersions, roundChunks, rounds, studies, submissionChunks, submissions, type Transaction } from '@consilium/db';
import { sha256Hex } from '@consilium/protocol';
import { and, count, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { completeStudy } from '../studies/finish-study.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import { failRound } from './fail-round.ts';
import type { LoadedRound } from './load-round.ts';
import { openRound } from './open-round.ts';
import { studyStrategy } from './round-encoding.ts';
import { privacyBudgetCheck } from '@consilium/fl/strategy';
import { openStudyContribution, settleDueRounds, withoutBlocking } from '../contribution/settle.ts';

/**
 * Turns a round's decrypted sum into its result. Statistics rounds yield the consortium's feature
 * means/standard deviations and sample total; training rounds yield the next global model through
 * the strategy (weighted FedAvg). Then the next round opens, or the study completes.
 */
export async function finalizeRound(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  round: LoadedRound,
  sum: Float64Array,
): Promise<void> {
  const now = ctx.now();
  const vector = sum.subarray(0, round.encoding.length);
  // The encrypted accumulators are no longer needed: only their hash is kept (storage stays O(model)).
  await tx.delete(roundChunks).where(eq(roundChunks.roundId, round.row.id));
  await tx.delete(submissionChunks).where(eq(submissionChunks.roundId, round.row.id));

  if (round.row.kind === 'stats') {
    const decoded = decode(() => globalStatistics(study.spec.data, vector));
    const statistics = 'value' in decoded ? decoded.value : null;
    const problem = !statistics
      ? `the decrypted statistics are not valid: ${'error' in decoded ? decoded.error : ''}`
      : statistics.totalSamples < 1
        ? 'the statistics round counted no usable training rows'
        : statistics.totalSamples > study.spec.federation.maxTotalSamples
          ? `the statistics round counted ${statistics.totalSamples} rows, more than the study's maxTotalSamples (${study.spec.federation.maxTotalSamples})`
          : null;
    if (!statistics || problem) {
      await failRound(ctx, tx, audit, study, round, problem ?? 'invalid statistics');
      return;
    }
    await tx.update(studies).set({ statistics, totalSamples: statistics.totalSamples }).where(eq(studies.id, study.row.id));
    const summary = { totalSamples: statistics.totalSamples, positives: statistics.positives, contributors: round.row.submissionCount };
    await markComplete(tx, round, summary, now);
    audit.record({ action: 'round.completed', actor: 'hub', studyId: study.row.id, roundId: round.row.id, payload: { index: round.row.index, summary } });
    await withoutBlocking(tx, audit, study.row.id, (sp, spAudit) => openStudyContribution(sp, spAudit, study, round, statistics));
    await openRound(ctx, tx, audit, study, { index: round.row.index + 1, kind: 'train', baseModelVersionId: null });
    return;
  }

  const submitted = await tx.select({ siteId: submissions.siteId }).from(submissions).where(eq(submissions.roundId, round.row.id));
  const aggregated = decode(() =>
    studyStrategy(study.spec).aggregate({
      sum: vector,
      replies: submitted.map((s) => ({ ok: true as const, siteId: s.siteId })),
      minReplies: study.spec.federation.minSitesPerRound,
      maxAbsParameter: study.spec.privacy.maxAbsParameter,
    }),
  );
  const result = 'value' in aggregated ? aggregated.value : null;
  if (!result) {
    const reason = 'error' in aggregated ? `the aggregate is not a valid model: ${aggregated.error}` : `fewer than ${study.spec.federation.minSitesPerRound} valid updates to aggregate`;
    await failRound(ctx, tx, audit, study, round, reason);
    return;
  }
  const [existing] = await tx.select({ n: count() }).from(modelVersions).where(eq(modelVersions.studyId, study.row.id));
  const version = (existing?.n ?? 0) + 1;
  const parameters = new Uint8Array(result.parameters.buffer, result.parameters.byteOffset, result.parameters.byteLength);
  const parametersHash = sha256Hex(parameters);
  // The privacy accountant: ε spent by every training sum decrypted so far, this one included — a
  // round that failed after its sum was decrypted was a release too.
  const trainRounds = await tx.select().from(rounds).where(and(eq(rounds.studyId, study.row.id), eq(rounds.kind, 'train')));
  const released = trainRounds.filter((r) => r.id !== round.row.id && wasDecrypted(r)).length + 1;
  const budget = privacyBudgetCheck(study.spec, released);
  const privacy = study.spec.privacy.differentialPrivacy ? { epsilonSpent: budget.spent, epsilonBudget: study.spec.privacy.differentialPrivacy.epsilon } : {};
  const metrics = { trainLoss: result.trainLoss, contributors: result.contributors, totalWeight: result.totalWeight, ...privacy };
  const [model] = await tx
    .insert(modelVersions)
    .values({
      studyId: study.row.id,
      roundId: round.row.id,
      version,
      parameters,
      parameterCount: result.parameters.length,
      parametersHash,
      metrics,
      createdAt: now,
    })
    .returning({ id: modelVersions.id });
  await markComplete(tx, round, { version, ...metrics }, now);
  audit.record({
    action: 'model.published',
    actor: 'hub',
    studyId: study.row.id,
    roundId: round.row.id,
    payload: { version, parametersHash, parameterCount: result.parameters.length },
  });
  audit.record({ action: 'round.completed', actor: 'hub', studyId: study.row.id, roundId: round.row.id, payload: { index: round.row.index, summary: { version, ...metrics } } });
  if (study.spec.privacy.differentialPrivacy) {
    audit.record({
      action: 'study.privacy_budget_spent',
      actor: 'hub',
      studyId: study.row.id,
      roundId: round.row.id,
      payload: { epsilonSpent: budget.spent, epsilonBudget: study.spec.privacy.differentialPrivacy.epsilon, rounds: released },
    });
  }
  // A round whose validation window has closed by now is settled with the model that follows it.
  await withoutBlocking(tx, audit, study.row.id, (sp, spAudit) => settleDueRounds(ctx, sp, spAudit, study.row.id));
  if (version >= study.spec.training.rounds) {
    await completeStudy(ctx, tx, audit, study, { rounds: version, finalModelVersionId: model!.id });
    return;
  }
  if (budget.exhausted) {
    // No further round may be released: the study ends with the model it has, saying why.
    await completeStudy(ctx, tx, audit, study, { rounds: version, finalModelVersionId: model!.id }, budget.message);
    return;
  }
  await openRound(ctx, tx, audit, study, { index: round.row.index + 1, kind: 'train', baseModelVersionId: model!.id });
}

/**
 * Runs a decoding step on the decrypted sum; an AppError (say, a non-finite value because a site sent
 * garbage) becomes a reason so the round fails with a reason instead of failing the request that happened
 * to complete it — the last honest site's upload must not be refused for someone else's bytes.
 */
function decode<T>(step: () => T): { value: T } | { error: string } {
  try {
    return { value: step() };
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
}

async function markComplete(tx: Transaction, round: LoadedRound, result: Record<string, unknown>, now: Date): Promise<void> {
  await tx.update(rounds).set({ status: 'complete', completedAt: now, result }).where(eq(rounds.id, round.row.id));
}

/** Whether a round's sum was decrypted (completed, or failed only after its t shares were in). */
function wasDecrypted(row: typeof rounds.$inferSelect): boolean {
  return row.status === 'complete' || (row.status === 'failed' && row.decryptors.length > 0 && row.shareCount >= row.decryptors.length);
}
