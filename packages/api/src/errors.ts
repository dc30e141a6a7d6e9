import { ErrorCode, type AppError } from '@consilium/errors';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/unstable-core-do-not-import';

/** The one place domain error codes become transport codes (and so HTTP statuses). */
const toTrpcCode: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  [ErrorCode.INVALID_INPUT]: 'BAD_REQUEST',
  [ErrorCode.UNAUTHENTICATED]: 'UNAUTHORIZED',
  [ErrorCode.INVALID_SIGNATURE]: 'UNAUTHORIZED',
  [ErrorCode.STALE_REQUEST]: 'UNAUTHORIZED',
  [ErrorCode.REPLAYED_REQUEST]: 'UNAUTHORIZED',
  [ErrorCode.RATE_LIMITED]: 'TOO_MANY_REQUESTS',
  [ErrorCode.FORBIDDEN]: 'FORBIDDEN',
  [ErrorCode.NOT_FOUND]: 'NOT_FOUND',
  [ErrorCode.CONFLICT]: 'CONFLICT',
  [ErrorCode.WRONG_STATE]: 'PRECONDITION_FAILED',
  [ErrorCode.CONSENT_REQUIRED]: 'FORBIDDEN',
  [ErrorCode.STUDY_PAUSED]: 'PRECONDITION_FAILED',
  [ErrorCode.INVALID_TOKEN]: 'UNAUTHORIZED',
  [ErrorCode.INVALID_CIPHERTEXT]: 'BAD_REQUEST',
  [ErrorCode.DECRYPTION_REFUSED]: 'FORBIDDEN',
  [ErrorCode.PRIVACY_BUDGET_EXHAUSTED]: 'PRECONDITION_FAILED',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [ErrorCode.INVALID_DATA]: 'BAD_REQUEST',
  [ErrorCode.ENCODING_RANGE]: 'BAD_REQUEST',
  [ErrorCode.UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [ErrorCode.INTERNAL]: 'INTERNAL_SERVER_ERROR',
};

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: toTrpcCode[error.code], message: error.message, cause: error });
}

/** HTTP status for a domain error, for the hub's non-tRPC binary routes. */
export function httpStatusOf(code: ErrorCode): number {
  const statuses: Partial<Record<TRPC_ERROR_CODE_KEY, number>> = {
    BAD_REQUEST: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PRECONDITION_FAILED: 412,
    PAYLOAD_TOO_LARGE: 413,
    TOO_MANY_REQUESTS: 429,
    SERVICE_UNAVAILABLE: 503,
  };
  return statuses[toTrpcCode[code]] ?? 500;
}
