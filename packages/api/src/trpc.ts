/**
 * The one tRPC setup file.
 *  1. Context — what every procedure gets: the domain context and the request's identity material.
 *  2. Initialisation — the error formatter (domain codes, flattened zod issues).
 *  3. Procedures — public, site-signed and people's (user) base procedures. Routers build on these
 *     only; each looks its path up in the access policy (access-policy.ts), the one statement of
 *     who may call what.
 */
import { AppError, ErrorCode, isAppError } from '@consilium/errors';
import { authenticateSiteRequest, type AuthenticatedSite, type DomainContext } from '@consilium/domain';
import { readSignedHeaders } from '@consilium/protocol';
import { formatPath } from '@consilium/schemas';
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import { policyOf, type ProcedurePolicy } from './access-policy.ts';
import { authorize } from './authorization.ts';
import { toTRPCError } from './errors.ts';
import { actorOf, authenticatePrincipal } from './principal.ts';
import type { SiteRateLimiter } from './site-rate-limit.ts';

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
  /** The client's address as the HTTP layer established it (sign-in limits per address); null when unknown. */
  clientIp?: string | null;
}

export interface ApiOptions {
  /** Origins besides the hub's own whose cookie-authenticated changes are accepted (the portal's). */
  allowedOrigins?: readonly string[];
  /** The hub's Ed25519 signing key (PKCS#8 PEM) that signs ownership statements; without it `contribution.statement` is refused. */
  hubSigningKeyPem?: string;
  /** Per-site limit on signed agent requests (site-rate-limit.ts), counted after the signature verifies; none when absent. */
  siteRateLimiter?: SiteRateLimiter;
}

export interface ApiContext {
  domain: DomainContext;
  request: RequestInfo;
  allowedOrigins: readonly string[];
  /** See ApiOptions.hubSigningKeyPem; null when the hub has none configured. */
  hubSigningKeyPem: string | null;
  /** See ApiOptions.siteRateLimiter; null when requests are not limited. */
  siteRateLimiter: SiteRateLimiter | null;
}

/** The context of one request (also used directly by tests through `createCaller`). */
export function createContext(domain: DomainContext, request: RequestInfo, options: ApiOptions = {}): ApiContext {
  return {
    domain,
    request,
    allowedOrigins: options.allowedOrigins ?? [],
    hubSigningKeyPem: options.hubSigningKeyPem ?? null,
    siteRateLimiter: options.siteRateLimiter ?? null,
  };
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

/**
 * The procedure's entry in the access policy, which must be of the kind its base procedure
 * serves: a procedure without an entry, or built on the wrong base, fails closed.
 */
function requirePolicy<K extends ProcedurePolicy['kind']>(path: string, kind: K): Extract<ProcedurePolicy, { kind: K }> {
  const policy = policyOf(path);
  if (policy?.kind !== kind) {
    throw new AppError(ErrorCode.INTERNAL, `Procedure ${path} is built as a ${kind} procedure but the access policy says ${policy?.kind ?? 'nothing'} (packages/api/src/access-policy.ts)`);
  }
  return policy as Extract<ProcedurePolicy, { kind: K }>;
}

const baseProcedure = t.procedure.use(domainErrors);

/** No authentication (health, enrolment with a one-time token, sign-in). */
export const publicProcedure = baseProcedure.use(({ path, next }) => {
  requirePolicy(path, 'public');
  return next();
});

/**
 * A person — a session (bearer token, or the session cookie plus CSRF protection for changes) or
 * an administrator token acting as a consortium_admin — whose role the access policy grants this
 * procedure, on the resource the input names when the grant is scoped. Procedures get the caller
 * (`principal`), the audit `actor` and the granted `access` (lists and creation apply its scope).
 */
export const userProcedure = baseProcedure.use(async ({ ctx, next, path, type, getRawInput }) => {
  const policy = requirePolicy(path, 'user');
  const principal = await authenticatePrincipal(ctx.domain, ctx.request.headers, { mutation: type === 'mutation', allowedOrigins: ctx.allowedOrigins });
  const access = await authorize(ctx.domain, { principal, policy, path, type, input: await getRawInput() });
  return next({ ctx: { principal, access, actor: actorOf(principal) } });
});

/**
 * A site agent: every request carries an Ed25519 signature over method, path, body, time and nonce.
 * Once the signature verifies (so another party cannot spend a site's allowance), the request counts
 * against the site's rate limit, if the hub set one.
 */
export const siteProcedure = baseProcedure.use(async ({ ctx, next, path }) => {
  requirePolicy(path, 'site');
  const signed = readSignedHeaders(ctx.request.headers);
  // An AppError, like every other refusal here, so the agent and the binary routes see the same code.
  if (!signed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This operation needs a signed agent request');
  const site: AuthenticatedSite = await authenticateSiteRequest(ctx.domain, {
    signed,
    method: ctx.request.method,
    path: ctx.request.path,
    bodySha256: ctx.request.bodySha256,
  });
  ctx.siteRateLimiter?.take(site.siteId);
  return next({ ctx: { site, actor: `site:${site.siteId}` } });
});
