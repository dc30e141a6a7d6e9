import { createHubClient, type HubClient } from '@consilium/api/client';
import { AppError, ErrorCode, type ErrorCode as Code } from '@consilium/errors';
import { signRequest } from '@consilium/protocol';
import { TRPCClientError } from '@trpc/client';
import { createOutboundFetch, DEFAULT_TIMEOUT_MS, type FetchLike, type NetworkOptions } from './network.ts';

export interface HubConnectionOptions {
  hubUrl: string;
  siteId: string;
  privateKeyPem: string;
  /** Per-request timeout: a hung hub must not hang the agent. */
  timeoutMs?: number;
  /** The site's proxy and CA bundle (see network.ts). */
  network?: NetworkOptions;
}

/**
 * The agent's only way out of the hospital: HTTPS requests to the hub, every one signed with the
 * site's identity key (method, path, body hash, time, nonce). Outbound only; the hub never calls in.
 */
export class HubConnection {
  readonly client: HubClient;
  readonly #options: HubConnectionOptions;
  readonly #fetch: FetchLike;

  constructor(options: HubConnectionOptions) {
    this.#options = options;
    this.#fetch = createOutboundFetch(options.network, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    this.client = createHubClient({ url: options.hubUrl, fetch: (input, init) => this.#signedFetch(input, init) });
  }

  /** Downloads a binary object (public key, aggregate, model parameters) with a signed GET. */
  async download(path: string): Promise<{ bytes: Uint8Array; headers: Headers }> {
    const response = await this.#signedFetch(new URL(path, this.#options.hubUrl), { method: 'GET' });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { code?: Code; message?: string; details?: Record<string, unknown> | null } } | null;
      const details = body?.error?.details ?? undefined;
      throw new AppError(body?.error?.code ?? ErrorCode.UNAVAILABLE, body?.error?.message ?? `Hub answered ${response.status} for ${path}`, details ? { details } : undefined);
    }
    return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
  }

  async #signedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = init?.method ?? 'GET';
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new AppError(ErrorCode.INTERNAL, 'Only string and binary request bodies can be signed');
    }
    const headers = new Headers(init?.headers);
    const signature = signRequest({
      privateKeyPem: this.#options.privateKeyPem,
      siteId: this.#options.siteId,
      method,
      path: url.pathname + url.search,
      body: body ?? null,
    });
    for (const [name, value] of Object.entries(signature)) headers.set(name, value);
    try {
      // createOutboundFetch cuts every call off after timeoutMs.
      return await this.#fetch(url, { ...init, method, headers });
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(ErrorCode.UNAVAILABLE, `Cannot reach the hub at ${this.#options.hubUrl}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The domain error code behind a failed hub call (tRPC or binary route), if any. */
export function errorCodeOf(error: unknown): Code | null {
  if (error instanceof AppError) return error.code;
  if (error instanceof TRPCClientError) {
    const data = error.data as { appCode?: Code | null; httpStatus?: number } | undefined;
    if (data?.appCode) return data.appCode;
    if (error.cause instanceof AppError) return error.cause.code;
    if (!data || (data.httpStatus ?? 500) >= 500) return ErrorCode.UNAVAILABLE;
  }
  return null;
}

/** Whether retrying later can help (hub down, network trouble, server error, too many requests for now). */
export function isTransient(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === ErrorCode.UNAVAILABLE || code === ErrorCode.INTERNAL || code === ErrorCode.RATE_LIMITED;
}

/**
 * Whether the hub refused for now, for a reason that passes: the study is paused, or this site has
 * not approved it (yet). Not a failure of the upload: it stays in the outbox and is sent again later.
 */
export function isDeferred(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === ErrorCode.STUDY_PAUSED || code === ErrorCode.CONSENT_REQUIRED;
}

/** How long the hub asked this site to wait before its next request (RATE_LIMITED's retryAfterSeconds), in ms; null when it did not. */
export function retryAfterMsOf(error: unknown): number | null {
  let details: unknown = null;
  if (error instanceof AppError) details = error.details;
  else if (error instanceof TRPCClientError) {
    details = (error.data as { details?: unknown } | undefined)?.details ?? (error.cause instanceof AppError ? error.cause.details : null);
  }
  const seconds = (details as { retryAfterSeconds?: unknown } | null | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** A one-line description of a failed hub call. */
export function describeHubError(error: unknown): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}
