/**
 * The one tRPC setup file.
 *  1. Context — what every procedure gets: the domain context and the request's identity material.
 *  2. Initialisation — the error formatter (domain codes, flattened zod issues).
 *  3. Procedures — public, admin, and site-signed base procedures. Routers build on these only.
 */
import { AppError, ErrorCode, isAppError } from '@consilium/errors';
import { authenticateAdmin, authenticateSiteRequest, type AuthenticatedSite, type DomainContext } from '@consilium/domain';
import { readSignedHeaders } from '@consilium/protocol';
import { formatPath } from '@consilium/schemas';
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import { toTRPCError } from './errors.ts';

// ─── 1. Context ──────────────────────────────────────────────────────────────

/** What the HTTP layer knows about a request, before any authentication. */
export interface RequestInfo {
  method: string;
  /** Path and query exactly as received: signed requests sign it. */
  path: string;
  /** SHA-256 (hex) of the exact body bytes received. */
  bodySha256: string;
  headers: Headers;
  requestId: string;
  /** Aborted when the client disconnects (ends a long poll early). */
  signal?: AbortSignal;
}

export interface ApiContext {
  domain: DomainContext;
  request: RequestInfo;
}

/** The context of one request (also used directly by tests through `createCaller`). */
export function createContext(domain: DomainContext, request: RequestInfo): ApiContext {
  return { domain, request };
}

// ─── 2. Initialisation ───────────────────────────────────────────────────────

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const appCode: ErrorCode | null = isAppError(cause) ? cause.code : null;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Never leak stack traces to agents or browsers.
        stack: undefined,
        appCode,
        details: isAppError(cause) ? (cause.details ?? null) : null,
        zodIssues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Maps domain errors to transport errors, once, for every procedure; after a mutation has committed,
 * wakes long-polling agents (a side effect after commit, never inside the transaction).
 */
const domainErrors = t.middleware(async ({ ctx, next, type, path }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) throw toTRPCError(result.error.cause);
  if (result.ok && type === 'mutation' && path !== 'agent.poll') ctx.domain.changes?.notify();
  return result;
});

// ─── 3. Procedures ───────────────────────────────────────────────────────────

/** No authentication (health, enrolment with a one-time token). */
export const publicProcedure = t.procedure.use(domainErrors);

/** A consortium administrator, authenticated by a bearer token (the portal adds user roles later). */
export const adminProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const header = ctx.request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This operation needs an administrator token (Authorization: Bearer …)');
  const admin = await authenticateAdmin(ctx.domain, match[1]);
  return next({ ctx: { admin, actor: `admin:${admin.label}` } });
});

/** A site agent: every request carries an Ed25519 signature over method, path, body, time and nonce. */
export const siteProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const signed = readSignedHeaders(ctx.request.headers);
  // An AppError, like every other refusal here, so the agent and the binary routes see the same code.
  if (!signed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This operation needs a signed agent request');
  const site: AuthenticatedSite = await authenticateSiteRequest(ctx.domain, {
    signed,
    method: ctx.request.method,
    path: ctx.request.path,
    bodySha256: ctx.request.bodySha256,
  });
  return next({ ctx: { site, actor: `site:${site.siteId}` } });
});
