import { AppError, ErrorCode } from '@consilium/errors';

/** Details of the AppError a run is aborted with when the user interrupts it. */
export interface InterruptDetails {
  interrupted: true;
  signal: NodeJS.Signals;
}

/** Whether an error is the abort of an interrupted run (Ctrl-C or SIGTERM). */
export function isInterruption(error: unknown): error is AppError & { details: InterruptDetails } {
  return error instanceof AppError && error.details?.interrupted === true;
}

/**
 * Aborts `controller` on SIGINT or SIGTERM, so a run can stop its processes before this one exits,
 * instead of Node's default of dying on the spot. Returns the function that removes the handlers.
 */
export function abortOnInterrupt(controller: AbortController): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const handlers = signals.map((signal) => {
    const handler = () =>
      controller.abort(
        new AppError(ErrorCode.UNAVAILABLE, `Interrupted (${signal}): stopped the hub and the agents`, { details: { interrupted: true, signal } satisfies InterruptDetails }),
      );
    process.on(signal, handler);
    return { signal, handler };
  });
  return () => {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  };
}
