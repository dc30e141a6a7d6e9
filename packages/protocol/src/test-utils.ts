import { AppError } from '@consilium/errors';
import type { ErrorCode } from '@consilium/errors';

/**
 * Runs `fn` and returns the AppError it throws, failing (by throwing) when it returns normally,
 * throws something else, or throws with another code. Tests then assert on the message.
 */
export function catchAppError(fn: () => unknown, code: ErrorCode): AppError {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof AppError)) throw new Error(`Expected AppError ${code}, got ${String(error)}`, { cause: error });
    if (error.code !== code) throw new Error(`Expected AppError ${code}, got ${error.code}: ${error.message}`, { cause: error });
    return error;
  }
  throw new Error(`Expected AppError ${code}, but nothing was thrown`);
}
