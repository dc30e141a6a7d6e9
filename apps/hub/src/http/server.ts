import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { appRouter, createContext, type SiteRateLimiter } from '@consilium/api';
import type { DomainContext } from '@consilium/domain';
import { AppError, ErrorCode, isAppError } from '@consilium/errors';
import { readSignedHeaders, sha256Hex } from '@consilium/protocol';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Logger } from 'pino';
import { handleBinaryRoute } from './binary-routes.ts';
import { handleAuditExport } from './audit-export.ts';
import { handleModelDownload } from './model-download.ts';
import { bodyStream, readBody } from './body.ts';
import type { HubMetrics } from './metrics.ts';
import { retryAfterHeader, sendError, sendJson } from './responses.ts';

export interface HttpServerOptions {
  domain: DomainContext;
  logger: Logger;
  /** Readiness check (the database answers). */
  isReady: () => Promise<boolean>;
  /**
   * Addresses of reverse proxies (and the portal's server) whose X-Forwarded-For is believed, for
   * the client address that sign-in limits count per. Others' X-Forwarded-For is ignored.
   */
  trustedProxies?: readonly string[];
  /** Origins besides the hub's own whose cookie-authenticated changes are accepted (the portal's). */
  allowedOrigins?: readonly string[];
  /** Prometheus metrics: every answered request is observed, and /metrics serves them. */
  metrics?: HubMetrics;
  /** The hub's Ed25519 signing key (PKCS#8 PEM), for signed ownership statements; without it the API refuses to issue them. */
  hubSigningKeyPem?: string;
  /** Per-site limit on signed agent requests (tRPC procedures and binary downloads alike). */
  siteRateLimiter?: SiteRateLimiter;
  /** Certificate chain and private key (PEM): serve HTTPS instead of HTTP. */
  tls?: TlsCredentials;
}

/** A PEM certificate (chain) and its private key. */
export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
}

/** The hub's listening server: plain HTTP, or HTTPS when it was given a certificate. */
export type HubServer = Server | HttpsServer;

/**
 * The hub's HTTP front: /trpc (the API), /v1/… (binary downloads, the audit export), /healthz, /readyz and /metrics. The body is
 * read once, bounded, and hashed here, because signed agent requests sign the body's SHA-256. Served
 * over HTTPS when `tls` is given (the same handler either way).
 */
export function createHttpServer(options: HttpServerOptions): HubServer {
  const handler = createRequestHandler(options);
  return options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
}

function createRequestHandler(options: HttpServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { domain, logger } = options;
  return (req, res) => {
    const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || randomUUID();
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    const received = { bytes: 0 };
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      logger.info({ requestId, method: req.method, path: safePath(req.url), status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
      options.metrics?.observeRequest({ method: req.method ?? 'GET', path: req.url ?? '/', status: res.statusCode, seconds, bodyBytes: received.bytes });
    });
    handle(req, res, requestId, received).catch((error: unknown) => {
      if (!(error instanceof AppError)) logger.error({ requestId, err: error }, 'unhandled request error');
      if (!res.headersSent) sendError(res, error, requestId);
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, received: { bytes: number }): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = await options.isReady().catch(() => false);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    }
    if (path === '/metrics' && options.metrics) {
      const text = await options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      res.end(text);
      return;
    }

    let body: Uint8Array;
    try {
      body = method === 'GET' || method === 'HEAD' ? new Uint8Array(0) : await readBody(req, bodyLimit(req, domain.limits.maxBodyBytes));
      received.bytes = body.byteLength;
    } catch (error) {
      // Answer, then drop the connection: the client may still be sending an oversized body. Say
      // so (Connection: close), or a keep-alive client sends its next request on the dead socket.
      res.setHeader('connection', 'close');
      sendError(res, error, requestId);
      res.on('finish', () => req.destroy());
      return;
    }
    const headers = toHeaders(req);
    // A long poll stops waiting when its client goes away.
    const closed = new AbortController();
    res.once('close', () => closed.abort());
    const clientIp = clientAddress(req.socket.remoteAddress ?? null, headers.get('x-forwarded-for'), options.trustedProxies ?? []);
    const request = { method, path, bodySha256: sha256Hex(body), headers, requestId, signal: closed.signal, clientIp };

    if (path.startsWith('/trpc/')) {
      const response = await fetchRequestHandler({
        endpoint: '/trpc',
        req: new Request(`http://hub${path}`, { method, headers, ...(body.byteLength > 0 ? { body: bodyStream(body), duplex: 'half' } : {}) }),
        router: appRouter,
        createContext: () => createContext(domain, request, {
            allowedOrigins: options.allowedOrigins ?? [],
            ...(options.hubSigningKeyPem === undefined ? {} : { hubSigningKeyPem: options.hubSigningKeyPem }),
            ...(options.siteRateLimiter === undefined ? {} : { siteRateLimiter: options.siteRateLimiter }),
          }),
        // A refusal that says when to try again (RATE_LIMITED) carries it in Retry-After too.
        responseMeta: ({ errors }) => {
          const cause = errors.map((e) => e.cause).find(isAppError);
          return { headers: retryAfterHeader(cause?.details) };
        },
        onError: ({ error, path: procedure }) => {
          if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ requestId, procedure, err: error.cause ?? error }, 'procedure failed');
          else logger.warn({ requestId, procedure, code: error.code, message: error.message }, 'request rejected');
        },
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    if (await handleAuditExport(domain, request, res, { signingKeyPem: options.hubSigningKeyPem })) return;
    if (await handleModelDownload(domain, request, res)) return;
    if (await handleBinaryRoute(domain, request, res, options.siteRateLimiter)) return;
    throw new AppError(ErrorCode.NOT_FOUND, `No route for ${method} ${safePath(path)}`);
  }
}

/** JSON calls are small: only binary uploads get the large limit. */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * How much of this request's body the hub is willing to read before anyone is authenticated. Binary
 * uploads (ciphertexts, shares) come from site agents only, so they must carry the signature headers
 * before a large body is read; anything else is held to the JSON limit.
 */
function bodyLimit(req: IncomingMessage, maxUploadBytes: number): number {
  const binary = (req.headers['content-type'] ?? '').startsWith('application/octet-stream');
  if (!binary) return MAX_JSON_BODY_BYTES;
  if (readSignedHeaders(toHeaders(req)) === null) {
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'Binary uploads must be signed by a site agent');
  }
  return maxUploadBytes;
}

/**
 * The client's address: the connection's peer, or — when the peer is a trusted proxy — the last
 * address in X-Forwarded-For that is not itself a trusted proxy (earlier entries can be forged by
 * the client).
 */
export function clientAddress(peer: string | null, forwardedFor: string | null, trustedProxies: readonly string[]): string | null {
  const normalize = (ip: string) => ip.trim().replace(/^::ffff:/, '');
  let address = peer === null ? null : normalize(peer);
  const hops = (forwardedFor ?? '').split(',').map(normalize).filter(Boolean);
  const trusted = new Set(trustedProxies.map(normalize));
  while (address !== null && trusted.has(address) && hops.length > 0) address = hops.pop()!;
  return address;
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** The path without its query string (tRPC GET inputs and tokens never reach the logs). */
function safePath(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}
