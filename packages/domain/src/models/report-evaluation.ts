import { evaluations, modelVersions, studies, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { evaluationPayloadHash, verifyPayloadSignature } from '@consilium/protocol';
import type { EvalMetrics } from '@consilium/schemas';
import { and, desc, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { requireParticipation } from '../studies/participation.ts';
import { settleDueRounds, withoutBlocking } from '../contribution/settle.ts';

/**
 * Records a site's signed evaluation of a global model on its own held-out data (metrics only —
 * never predictions or rows). Idempotent per model and site.
 */
export async function reportEvaluation(
  ctx: DomainContext,
  site: AuthenticatedSite,
  input: { studyId: string; modelVersionId: string; metrics: EvalMetrics; signature: string },
): Promise<{ recorded: boolean; final: boolean }> {
  verifyPayloadSignature({
    publicKey: site.publicKey,
    purpose: 'evaluation',
    studyId: input.studyId,
    roundId: input.modelVersionId,
    siteId: site.siteId,
    payloadSha256: evaluationPayloadHash(input),
    signature: input.signature,
  });
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [model] = await tx.select().from(modelVersions).where(eq(modelVersions.id, input.modelVersionId));
    if (!model || model.studyId !== input.studyId) throw new AppError(ErrorCode.NOT_FOUND, `Model version ${input.modelVersionId} is not part of study ${input.studyId}`);
    const [member] = await tx.select().from(studySites).where(and(eq(studySites.studyId, input.studyId), eq(studySites.siteId, site.siteId)));
    if (!member) throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not part of this study`);
    await requireParticipation(tx, site, input.studyId, 'evaluation');
    const [existing] = await tx.select().from(evaluations).where(and(eq(evaluations.modelVersionId, model.id), eq(evaluations.siteId, site.siteId)));
    if (existing) return { recorded: false, final: existing.final };

    const [study] = await tx.select({ status: studies.status }).from(studies).where(eq(studies.id, input.studyId));
    const [latest] = await tx.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.studyId, input.studyId)).orderBy(desc(modelVersions.version)).limit(1);
    const final = study?.status === 'completed' && latest?.id === model.id;
    await tx.insert(evaluations).values({
      studyId: input.studyId,
      modelVersionId: model.id,
      siteId: site.siteId,
      final,
      metrics: input.metrics,
      signature: input.signature,
      createdAt: ctx.now(),
    });
    audit.record({
      action: 'evaluation.reported',
      actor: `site:${site.siteId}`,
      studyId: input.studyId,
      siteId: site.siteId,
      payload: { modelVersionId: model.id, final, accuracy: input.metrics.accuracy, n: input.metrics.n },
    });
    // The last report on a model closes its validation window: settle the round at once.
    await withoutBlocking(tx, audit, input.studyId, (sp, spAudit) => settleDueRounds(ctx, sp, spAudit, input.studyId));
    return { recorded: true, final };
  });
}
