import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Task, TrainingBackend } from '@consilium/schemas';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@consilium/errors';
import { describeHubError, errorCodeOf, isDeferred, isTransient, retryAfterMsOf } from './hub-connection.ts';
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

/** What the last poll said about one of this site's studies. */
export interface StudyStanding {
  name: string;
  consent: 'pending' | 'approved' | 'declined';
  paused: boolean;
}

/**
 * Why this agent must not work for a study now — train, encrypt or upload — or null when it may:
 * only for a study this site approved (its site administrator, or the operator at enrolment) and
 * that is not paused. The hub sends no task for any other, and refuses its uploads; the agent
 * checks for itself all the same.
 */
export function whyNotTakingPart(standing: StudyStanding | undefined): string | null {
  if (!standing) return 'this site is not known to be a member of the study (no poll has listed it)';
  if (standing.consent !== 'approved') {
    return `this site has not approved taking part in study "${standing.name}" (consent ${standing.consent}): a site administrator must approve it in the portal (or re-enrol with --approve-study) before this agent trains or uploads anything for it`;
  }
  if (standing.paused) return `study "${standing.name}" is paused: nothing is done for it until it resumes`;
  return null;
}

export async function runAgent(ctx: TaskContext, options: RunOptions): Promise<void> {
  const cooldown = new Map<string, number>();
  let backoff = options.pollMs;
  let pause: number;
  // Once every study has ended, an agent run --until-done only finishes its last tasks (final
  // evaluations): it asks without waiting, so it exits as soon as they are done.
  let studiesOver = false;
  // The first poll does not wait: until it answers, this agent does not know which studies it may work for.
  let firstPoll = true;
  const standings = new Map<string, StudyStanding>();
  ctx.logger.info({ siteId: ctx.siteId, hub: ctx.config.hubUrl, backend: options.backend }, 'agent running');

  while (!options.signal.aborted) {
    try {
      await flushOutboxes(ctx, (studyId) => whyNotTakingPart(standings.get(studyId)) === null);
      const asked = Date.now();
      // A long poll: the hub answers as soon as there is work for this site (or after LONG_POLL_MS).
      const waitMs = (options.untilDone && studiesOver) || firstPoll ? 0 : LONG_POLL_MS;
      const poll = await ctx.hub.client.agent.poll.mutate({ agentVersion: options.agentVersion, backend: options.backend, waitMs });
      firstPoll = false;
      standings.clear();
      for (const s of poll.studies) standings.set(s.studyId, { name: s.name, consent: s.consent, paused: s.pausedAt !== null });
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
        const notNow = whyNotTakingPart(standings.get(task.studyId));
        if (notNow) {
          // Even if a task arrives (an older hub, a race with a decision): nothing is trained, encrypted or sent.
          cooldown.set(taskKey(task), Date.now() + COOLDOWN_MS);
          ctx.logger.warn({ task: task.kind, studyId: task.studyId, reason: notNow }, 'task ignored: this site does not take part in the study now');
          continue;
        }
        try {
          await runTask(ctx, task);
          cooldown.delete(taskKey(task));
        } catch (error) {
          if (isTransient(error)) throw error;
          if (isDeferred(error)) {
            // Paused, or consent withdrawn meanwhile: the upload stays in the outbox for later.
            cooldown.set(taskKey(task), Date.now() + COOLDOWN_MS);
            ctx.logger.warn({ task: task.kind, studyId: task.studyId, error: describeHubError(error) }, 'the hub does not accept work for this study now; kept for later');
            continue;
          }
          cooldown.set(taskKey(task), Date.now() + COOLDOWN_MS);
          ctx.logger.error({ task: task.kind, studyId: task.studyId, error: describeHubError(error) }, 'task failed; will retry later');
        }
      }
      backoff = options.pollMs;
      // A study this site declined is over for it too.
      const finished = poll.studies.length > 0 && poll.studies.every((s) => s.status === 'completed' || s.status === 'failed' || s.status === 'stopped' || s.consent === 'declined');
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

/** Re-sends uploads a previous run stored but never saw acknowledged — for studies this site takes part in now. */
async function flushOutboxes(ctx: TaskContext, takesPart: (studyId: string) => boolean): Promise<void> {
  let studies: string[];
  try {
    studies = await readdir(path.join(ctx.files.root, 'studies'));
  } catch {
    return;
  }
  for (const studyId of studies) {
    if (!takesPart(studyId)) continue;
    for (const item of await ctx.state(studyId).pending()) {
      ctx.logger.info({ kind: item.kind, studyId, roundId: item.roundId }, 're-sending a stored upload the hub has not acknowledged yet');
      try {
        await ctx.send(studyId, item);
      } catch (error) {
        // Hub unreachable, or this site over its rate limit: stop and retry later. Anything else
        // concerns this upload only: the next ones (and polling for other studies' work) must not wait behind it.
        const code = errorCodeOf(error);
        if (code === ErrorCode.UNAVAILABLE || code === ErrorCode.RATE_LIMITED) throw error;
        ctx.logger.warn(
          { kind: item.kind, studyId, error: describeHubError(error) },
          isTransient(error) || isDeferred(error) ? 'stored upload not accepted yet; will retry' : 'stored upload refused by the hub',
        );
      }
    }
  }
}
