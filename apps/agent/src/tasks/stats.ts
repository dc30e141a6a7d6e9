import { localStatistics } from '@consilium/data';
import type { StatsTask } from '@consilium/schemas';
import { encodeVector } from './encode-vector.ts';
import type { TaskContext } from './task-context.ts';

/**
 * Federated preprocessing: this site's feature sums, sums of squares and counts, encrypted, so the
 * consortium learns only the pooled means and standard deviations.
 */
export async function runStats(ctx: TaskContext, task: StatsTask): Promise<void> {
  const study = await ctx.study(task.studyId);
  const vector = localStatistics(study.spec.data, study.data.train);
  const parts = await encodeVector(ctx, task, vector);
  await ctx.uploadStreamed('submission', task.studyId, task.roundId, parts);
}
