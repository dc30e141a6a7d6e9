import { evaluateModel, modelFromFlatParameters } from '@consilium/fl/train';
import { evaluationPayloadHash, signPayload } from '@consilium/protocol';
import type { EvaluateTask } from '@consilium/schemas';
import type { TaskContext } from './task-context.ts';

/**
 * Evaluates a global model on this site's held-out rows and reports the signed metrics (only
 * aggregate metrics leave the site: counts, accuracy, loss, AUC — never predictions).
 */
export async function runEvaluate(ctx: TaskContext, task: EvaluateTask): Promise<void> {
  const study = await ctx.study(task.studyId);
  const { test } = study.data.encoded(study.statistics);
  const model = modelFromFlatParameters(study.spec.model, test.d, await ctx.modelParameters(task.modelVersionId));
  let metrics;
  try {
    metrics = evaluateModel(model, test.x, test.y, test.n, test.d, study.spec.training.threshold);
  } finally {
    model.dispose();
  }
  const payloadSha256 = evaluationPayloadHash({ modelVersionId: task.modelVersionId, metrics });
  const signature = signPayload({ privateKeyPem: ctx.privateKeyPem, purpose: 'evaluation', studyId: task.studyId, roundId: task.modelVersionId, siteId: ctx.siteId, payloadSha256 });
  await ctx.hub.client.agent.reportEvaluation.mutate({ studyId: task.studyId, modelVersionId: task.modelVersionId, metrics, signature });
  await ctx.transfers.append({ kind: 'evaluation', studyId: task.studyId, roundId: task.modelVersionId, bytes: JSON.stringify(metrics).length, sha256: payloadSha256 });
  ctx.logger.info({ studyId: task.studyId, modelVersionId: task.modelVersionId, final: task.final, accuracy: metrics.accuracy, n: metrics.n }, 'model evaluated');
}
