import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@consilium/api/client';
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import { describeStudyState, isStudyFinished, type StudyProgress } from './study-progress.ts';

export interface WatchStudyOptions {
  /** Called with every progress read (the caller decides what changed). */
  onUpdate?: ((progress: StudyProgress) => void) | undefined;
  /** How often to ask the hub (default 500 ms). */
  pollMs?: number | undefined;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number | undefined;
  /** Also wait for every site's evaluation of the final model after completion (default true). */
  awaitFinalEvaluations?: boolean | undefined;
  /** Consecutive failed reads after which the hub is taken to be gone (default 20). */
  maxConsecutiveErrors?: number | undefined;
  /** Stops watching (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

const DEFAULT_POLL_MS = 500;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_CONSECUTIVE_ERRORS = 20;

/**
 * Polls a study's progress until it has completed (with every site's evaluation of the final
 * model, unless told otherwise) or failed, and resolves with that last progress; a failed study
 * resolves too, the caller reads `status` and `failureReason`. Rejects on timeout with where the
 * study stood, when the hub stops answering, or when `signal` aborts.
 */
export async function watchStudy(client: HubClient, studyId: string, options: WatchStudyOptions = {}): Promise<StudyProgress> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxErrors = options.maxConsecutiveErrors ?? DEFAULT_MAX_CONSECUTIVE_ERRORS;
  const awaitFinalEvaluations = options.awaitFinalEvaluations ?? true;
  const deadline = Date.now() + timeoutMs;
  let last: StudyProgress | null = null;
  let errors = 0;
  let lastError: unknown = null;

  for (;;) {
    options.signal?.throwIfAborted();
    try {
      last = await client.studies.progress.query({ studyId }, { signal: options.signal });
      errors = 0;
      options.onUpdate?.(last);
      if (isStudyFinished(last, { awaitFinalEvaluations })) return last;
    } catch (error) {
      options.signal?.throwIfAborted();
      errors++;
      lastError = error;
      if (errors >= maxErrors)
        throw new AppError(ErrorCode.UNAVAILABLE, `The hub stopped answering about study ${studyId} (${errors} failed reads): ${describeError(error)}`, { cause: error });
    }
    if (Date.now() >= deadline) {
      const state = last ? describeStudyState(last) : 'no progress was ever read';
      const hubError = lastError && errors > 0 ? `; last hub error: ${describeError(lastError)}` : '';
      throw new AppError(ErrorCode.UNAVAILABLE, `Study ${studyId} did not finish within ${Math.round(timeoutMs / 1000)} s (${state}${hubError})`);
    }
    // An abort ends the sleep early; the loop's first line then throws the abort's reason.
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal }).catch(() => undefined);
  }
}
