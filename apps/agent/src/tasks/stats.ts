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
  const { train, test } = study.data;
  const vector = localStatistics(study.spec.data, train);
  // The site's declaration: the same row and label counts it encrypts, signed, for contribution accounting.
  const positives = train.labels.reduce((sum, label) => sum + label, 0);
  await ctx.reportClaim(task.studyId, task.roundId, { kind: 'declaration', trainRows: train.rowCount, heldOutRows: test.rowCount, labelCounts: [train.rowCount - positives, positives] });
  const parts = await encodeVector(ctx, task, vector);
  await ctx.uploadStreamed('submission', task.studyId, task.roundId, parts);
}
