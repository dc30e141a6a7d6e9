import type { Executor } from '@consilium/db';
import { isAppError, type AppError } from '@consilium/errors';
import { changedTables, snapshotState } from './snapshot.ts';

/**
 * Awaits a call that must fail and returns its domain error: the AppError itself, or the one a
 * tRPC error carries as its cause. Throws (failing the test) if the call succeeds or fails with
 * anything else.
 */
export async function rejectionOf(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    const cause = (error as { cause?: unknown } | null)?.cause;
    if (isAppError(error)) return error;
    if (isAppError(cause)) return cause;
    throw new Error(`expected a domain error (AppError), got: ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to be rejected, but it succeeded');
}

/** A refused call: the error, and the state tables it nevertheless changed (none, if the hub is right). */
export interface Refusal {
  error: AppError;
  changedTables: string[];
}

/** Runs a call that must be refused and reports which state tables it changed anyway. */
export async function refusalOf(db: Executor, call: () => Promise<unknown>): Promise<Refusal> {
  const before = await snapshotState(db);
  const error = await rejectionOf(call());
  return { error, changedTables: changedTables(before, await snapshotState(db)) };
}
