/**
 * Domain errors for every Consilium package.
 *
 * Libraries and domain functions throw `AppError` with a code from `ErrorCode`; the API layer maps
 * each code to a transport status in one place (packages/api/src/errors.ts). No package other than
 * the API knows about tRPC or HTTP.
 */

/** Every error code, with what it means. The value is the stable, wire-visible code. */
export const ErrorCode = {
  /** Input failed validation (zod, a spec file, a CSV). `details` names the bad fields. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A request carried no usable credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A signed request's signature, key or site did not verify. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** A signed request's timestamp is outside the accepted clock-skew window. */
  STALE_REQUEST: 'STALE_REQUEST',
  /** A signed request reused a nonce the hub has already seen. */
  REPLAYED_REQUEST: 'REPLAYED_REQUEST',
  /**
   * Too many attempts (sign-in failures per e-mail or per client address) in the current window.
   * `details.retryAfterSeconds` says when to try again.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The caller is authenticated but not allowed to do this (wrong role, site, study). */
  FORBIDDEN: 'FORBIDDEN',
  /** The thing asked for does not exist (or the caller may not know it exists). */
  NOT_FOUND: 'NOT_FOUND',
  /** The request conflicts with stored state (a second, different submission for a round). */
  CONFLICT: 'CONFLICT',
  /** The study or round is not in a state that allows this operation. */
  WRONG_STATE: 'WRONG_STATE',
  /**
   * The site has not approved taking part in the study (its consent is pending or declined): the
   * hub gives it no work for the study and accepts no upload for it. A site administrator decides.
   */
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  /**
   * The study is paused by its lead or an administrator: no work and no upload until it resumes.
   * Retryable: an agent keeps the upload and sends it again after the study resumes.
   */
  STUDY_PAUSED: 'STUDY_PAUSED',
  /** An enrolment token is unknown, expired, revoked or already used. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** A ciphertext, key share or decryption share failed structural or parameter checks. */
  INVALID_CIPHERTEXT: 'INVALID_CIPHERTEXT',
  /**
   * A committee member refused to help decrypt: what it was asked to decrypt is not provably the sum
   * of enough validly signed submissions (a decryption-oracle attempt, or a hub bug).
   */
  DECRYPTION_REFUSED: 'DECRYPTION_REFUSED',
  /** The study's differential-privacy budget (ε) is spent: no further round may be run. */
  PRIVACY_BUDGET_EXHAUSTED: 'PRIVACY_BUDGET_EXHAUSTED',
  /** A request body or payload exceeded a configured limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A local data file does not match the study's data schema. */
  INVALID_DATA: 'INVALID_DATA',
  /** A value does not fit the encryption parameters (overflow risk, too many slots). */
  ENCODING_RANGE: 'ENCODING_RANGE',
  /** The peer (hub or agent) could not be reached or answered with a transport failure. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A bug or an unexpected failure of a dependency. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Structured, serialisable detail attached to an error: which field/row/column, limits, etc. */
export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options?: { details?: ErrorDetails; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Narrow helper for exhaustive switches. */
export function assertNever(value: never, message = 'Unexpected value'): never {
  throw new AppError(ErrorCode.INTERNAL, `${message}: ${String(value)}`);
}

/** Turns anything thrown into a one-line message suitable for a log or a CLI. */
export function describeError(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
