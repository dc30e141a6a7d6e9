import type { ServerResponse } from 'node:http';
import { httpStatusOf } from '@consilium/api';
import { ErrorCode, isAppError } from '@consilium/errors';

/** Writes a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes raw bytes. */
export function sendBytes(res: ServerResponse, bytes: Uint8Array, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.byteLength, ...headers });
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Writes an error from the binary routes in the same shape the agent reads from tRPC errors. */
export function sendError(res: ServerResponse, error: unknown, requestId: string): void {
  const code = isAppError(error) ? error.code : ErrorCode.INTERNAL;
  const message = isAppError(error) ? error.message : 'Internal error';
  const details = isAppError(error) ? (error.details ?? null) : null;
  sendJson(res, httpStatusOf(code), { error: { code, message, requestId, details } }, retryAfterHeader(details));
}

/** A Retry-After header for a refusal that says when to try again (RATE_LIMITED's details.retryAfterSeconds). */
export function retryAfterHeader(details: Record<string, unknown> | null | undefined): Record<string, string> {
  const seconds = details?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? { 'retry-after': String(Math.ceil(seconds)) } : {};
}
