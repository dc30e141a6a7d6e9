import { AppError, ErrorCode } from '@consilium/errors';
import { dpPlanForSpec, FedAvg, withDifferentialPrivacy } from '@consilium/fl/strategy';
import { buildModel, getFlatParameters, setFlatParameters, trainLocal } from '@consilium/fl/train';
import type { TrainTask } from '@consilium/schemas';
import { encodeVector } from './encode-vector.ts';
import type { TaskContext } from './task-context.ts';

const fedAvg = new FedAvg();

/**
 * One round of local training: start from the current global model, train on this site's rows,
 * encode the update for weighted FedAvg (n_i/N · θ_i, n_i/N, loss), encrypt and upload it.
 */
export async function runTrain(ctx: TaskContext, task: TrainTask): Promise<void> {
  const study = await ctx.study(task.studyId);
  if (study.spec.preprocessing.standardize === 'federated' && !study.statistics) {
    throw new AppError(ErrorCode.WRONG_STATE, 'The consortium statistics are not available yet; cannot standardise features');
  }
  const { train } = study.data.encoded(study.statistics);
  const model = buildModel(study.spec.model, train.d, study.spec.training.seed);
  try {
    if (task.modelVersionId) setFlatParameters(model, await ctx.modelParameters(task.modelVersionId));
    const globalParameters = getFlatParameters(model);
    const { rows, epochs } = trainingPlan(ctx, train.n, study.spec.training.localEpochs);
    const bar = ctx.progress.start(`round ${task.roundIndex}: training`, epochs);
    const result = await trainLocal({
      model,
      x: rows === train.n ? train.x : train.x.subarray(0, rows * train.d),
      y: rows === train.n ? train.y : train.y.subarray(0, rows),
      n: rows,
      d: train.d,
      config: { ...study.spec.training, localEpochs: epochs },
      roundIndex: task.roundIndex,
      onProgress: (p) => bar.update(p.epoch + (p.batch + 1) / p.batches, `loss ${p.loss.toFixed(4)}`),
    });
    bar.finish(`loss ${result.trainLoss.toFixed(4)} on ${result.numExamples} rows`);
    // With differential privacy the change is clipped and this site's share of the noise added
    // before encryption; the hub derives the same plan from the spec to account for it.
    const dp = dpPlanForSpec(study.spec);
    const strategy = dp ? withDifferentialPrivacy(fedAvg, dp) : fedAvg;
    const { vector, clipped, l2Clip } = strategy.encodeUpdate(
      { parameters: getFlatParameters(model), numExamples: result.numExamples, trainLoss: result.trainLoss },
      { totalSamples: task.totalSamples, maxAbsParameter: study.spec.privacy.maxAbsParameter, globalParameters },
    );
    // The clip factor only: the noise must never leave this process, not even in a log.
    if (dp && l2Clip) ctx.logger.info({ clipFactor: l2Clip.scale, clipNorm: dp.clipNorm }, 'update clipped for differential privacy');
    if (clipped > 0) ctx.logger.warn({ clipped, bound: study.spec.privacy.maxAbsParameter }, 'update values clipped to the study bound');
    // What it trained on, signed for contribution accounting (the hub bounds it by the declaration).
    const claimed = Math.round(result.numExamples * (ctx.behaviour.inflateSamples ?? 1));
    await ctx.reportClaim(task.studyId, task.roundId, { kind: 'training', samples: claimed, epochs });
    const parts = await encodeVector(ctx, task, vector);
    await ctx.uploadStreamed('submission', task.studyId, task.roundId, parts);
  } finally {
    model.dispose();
  }
}

/** The rows and epochs to train on: all of them, unless the benchmark's free rider cuts them (behaviour.ts). */
function trainingPlan(ctx: TaskContext, n: number, localEpochs: number): { rows: number; epochs: number } {
  const freeRide = ctx.behaviour.freeRide;
  if (!freeRide) return { rows: n, epochs: localEpochs };
  return { rows: Math.min(n, freeRide.rows), epochs: Math.min(localEpochs, freeRide.epochs) };
}
