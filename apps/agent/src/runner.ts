import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Task, TrainingBackend } from '@consilium/schemas';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@consilium/errors';
import { describeHubError, errorCodeOf, isTransient, retryAfterMsOf } from './hub-connection.ts';
import type { TaskContext } from './tasks/task-context.ts';
import { runDecrypt } from './tasks/decrypt.ts';
import { runEvaluate } from './tasks/evaluate.ts';
import { runKeygen } from './tasks/keygen.ts';
import { runStats } from './tasks/stats.ts';
import { runTrain } from './tasks/train.ts';

export interface RunOptions {
  agentVersion: string;
  backend: TrainingBackend;
  pollMs: number;
  /** Stop once every study of this site has finished and nothing is left to do. */
  untilDone: boolean;
  signal: AbortSignal;
}

/** How long a task that failed for a non-transient reason is left alone before it is retried. */
const COOLDOWN_MS = 30_000;
// Short enough that agents notice a restarted hub within seconds; long enough not to hammer a hub that is down.
const MAX_BACKOFF_MS = 15_000;

/**
 * The agent's main loop. All progress is driven by the hub's state (what has this site not done
 * yet?) plus the local outbox, so the loop can be killed at any point and simply restarted.
 */
/** How long the hub may hold a poll open waiting for work for this site. */
const LONG_POLL_MS = 20_000;

export async function runAgent(ctx: TaskContext, options: RunOptions): Promise<void> {
  const cooldown = new Map<string, number>();
  let backoff = options.pollMs;
  let pause: number;
  // Once every study has ended, an agent run --until-done only finishes its last tasks (final
  // evaluations): it asks without waiting, so it exits as soon as they are done.
  let studiesOver = false;
  ctx.logger.info({ siteId: ctx.siteId, hub: ctx.config.hubUrl, backend: options.backend }, 'agent running');

  while (!options.signal.aborted) {
    try {
      await flushOutboxes(ctx);
      const asked = Date.now();
      // A long poll: the hub answers as soon as there is work for this site (or after LONG_POLL_MS).
      const waitMs = options.untilDone && studiesOver ? 0 : LONG_POLL_MS;
      const poll = await ctx.hub.client.agent.poll.mutate({ agentVersion: options.agentVersion, backend: options.backend, waitMs });
      const now = Date.now();
      const tasks = poll.tasks.filter((t) => (cooldown.get(taskKey(t)) ?? 0) <= now);
      for (const [i, task] of tasks.entries()) {
        if (options.signal.aborted) break;
        // Evaluations of published models wait: after a round task, ask again first, so a decryption
        // that became due meanwhile (the round everyone waits for) runs before them.
        if (task.kind === 'evaluate' && i > 0 && tasks[i - 1]!.kind !== 'evaluate') break;
        if (task.kind === 'train' && ctx.behaviour.missTrainingRounds?.includes(task.roundIndex)) {
          // The benchmark's unreliable site: as if it were offline for this round.
          cooldown.set(taskKey(task), Number.POSITIVE_INFINITY);
          ctx.logger.warn({ studyId: task.studyId, roundIndex: task.roundIndex }, 'training round skipped (simulated outage)');
          continue;
        }
        try {
          await runTask(ctx, task);
          cooldown.delete(taskKey(task));
        } catch (error) {
          if (isTransient(error)) throw error;
          cooldown.set(taskKey(task), Date.now() + COOLDOWN_MS);
          ctx.logger.error({ task: task.kind, studyId: task.studyId, error: describeHubError(error) }, 'task failed; will retry later');
        }
      }
      backoff = options.pollMs;
      const finished = poll.studies.length > 0 && poll.studies.every((s) => s.status === 'completed' || s.status === 'failed');
      studiesOver = finished;
      if (options.untilDone && finished && poll.tasks.length === 0) {
        for (const s of poll.studies) ctx.logger.info({ studyId: s.studyId, status: s.status, reason: s.failureReason }, `study ${s.status}`);
        return;
      }
      if (tasks.length > 0) continue; // more work may already be waiting
      // The hub has already waited for work; pause only if it answered early (say, an older hub).
      pause = Math.max(0, options.pollMs - (Date.now() - asked));
    } catch (error) {
      // A rate-limited site waits as long as the hub asked (at least), however short its backoff is.
      pause = Math.max(backoff, retryAfterMsOf(error) ?? 0);
      ctx.logger.warn({ error: describeHubError(error), retryInMs: pause }, 'hub unreachable or busy; retrying');
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    await sleep(pause, undefined, { signal: options.signal }).catch(() => undefined);
  }
  ctx.logger.info('agent stopped');
}

function runTask(ctx: TaskContext, task: Task): Promise<void> {
  ctx.logger.debug({ task }, 'task');
  switch (task.kind) {
    case 'keygen':
      return runKeygen(ctx, task);
    case 'stats':
      return runStats(ctx, task);
    case 'train':
      return runTrain(ctx, task);
    case 'decrypt':
      return runDecrypt(ctx, task);
    case 'evaluate':
      return runEvaluate(ctx, task);
  }
}

/** A failed task is left alone for a while; a later ceremony stage or decryption attempt is new work. */
function taskKey(task: Task): string {
  switch (task.kind) {
    case 'keygen':
      return `keygen:${task.studyId}:${task.epoch}:${task.stage}`;
    case 'decrypt':
      return `decrypt:${task.roundId}:${task.attempt}`;
    case 'stats':
    case 'train':
      return `${task.kind}:${task.roundId}`;
    case 'evaluate':
      return `evaluate:${task.studyId}:${task.modelVersionId}`;
  }
}

/** Re-sends uploads a previous run stored but never saw acknowledged. */
async function flushOutboxes(ctx: TaskContext): Promise<void> {
  let studies: string[];
  try {
    studies = await readdir(path.join(ctx.files.root, 'studies'));
  } catch {
    return;
  }
  for (const studyId of studies) {
    for (const item of await ctx.state(studyId).pending()) {
      ctx.logger.info({ kind: item.kind, studyId, roundId: item.roundId }, 're-sending a stored upload the hub has not acknowledged yet');
      try {
        await ctx.send(studyId, item);
      } catch (error) {
        // Hub unreachable, or this site over its rate limit: stop and retry later. Anything else
        // concerns this upload only: the next ones (and polling for other studies' work) must not wait behind it.
        const code = errorCodeOf(error);
        if (code === ErrorCode.UNAVAILABLE || code === ErrorCode.RATE_LIMITED) throw error;
        ctx.logger.warn({ kind: item.kind, studyId, error: describeHubError(error) }, isTransient(error) ? 'stored upload not accepted yet; will retry' : 'stored upload refused by the hub');
      }
    }
  }
}
