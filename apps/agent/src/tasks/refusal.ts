import { sha256Hex } from '@consilium/protocol';
import type { DecryptTask } from '@consilium/schemas';
import { describeHubError } from '../hub-connection.ts';
import type { TaskContext } from './task-context.ts';

/**
 * Tells the hub this site refused to decrypt, so the refusal is in the hub's audit log too (and the
 * round moves on without this site). Every attempt to report is in the site's transfer log with the
 * reason — `consilium-agent log` shows it whether or not the hub got it. A failed report is thrown:
 * the runner retries the task, which then only re-reports (the refusal is already in state.json).
 */
export async function reportRefusal(ctx: TaskContext, task: DecryptTask, reason: string): Promise<void> {
  const record = {
    kind: 'decryption-refusal' as const,
    studyId: task.studyId,
    roundId: task.roundId,
    attempt: task.attempt,
    reason,
    bytes: Buffer.byteLength(reason),
    sha256: sha256Hex(reason),
  };
  try {
    await ctx.hub.client.agent.reportRefusal.mutate({ roundId: task.roundId, reason });
  } catch (error) {
    await ctx.transfers.append({ ...record, accepted: false, error: describeHubError(error) });
    throw error;
  }
  await ctx.transfers.append({ ...record, accepted: true });
  const state = ctx.state(task.studyId);
  const refusal = await state.refusal(task.roundId, task.attempt);
  if (refusal) await state.recordRefusal({ ...refusal, reported: true });
}
