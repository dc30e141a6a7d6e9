/**
 * Who is calling, for the people's procedures. The one place credentials are read, so that another
 * way of signing in (OIDC: the portal exchanges the identity provider's code for a hub session)
 * only changes how a session is obtained, never the procedures.
 *
 *  - `Authorization: Bearer cses_…`  a person's session token (how the portal's server forwards the
 *    session it keeps in an httpOnly, SameSite=Strict cookie);
 *  - `Authorization: Bearer cadm_…`  an administrator token (the hub CLI, automation): acts as a
 *    consortium_admin;
 *  - `Cookie: consilium_session=cses_…`  a session sent by a browser talking to the hub directly.
 *    Browsers attach cookies on their own, so a change (mutation) made this way must also carry
 *    `x-consilium-csrf: 1` — a header a cross-site form cannot set and cross-site scripts cannot
 *    send without a CORS preflight the hub never grants — and an Origin that is the hub's own or
 *    an allowed one.
 */
import { authenticateAdmin, authenticateSession, isSessionToken, Roles, userActor, type DomainContext, type SessionUser, type UserRole } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';

export const SESSION_COOKIE = 'consilium_session';
export const CSRF_HEADER = 'x-consilium-csrf';

export type Principal = { kind: 'user'; user: SessionUser; via: 'bearer' | 'cookie' } | { kind: 'adminToken'; label: string };

export function roleOf(principal: Principal): UserRole {
  return principal.kind === 'adminToken' ? Roles.CONSORTIUM_ADMIN : principal.user.role;
}

/** The audit actor of a call: `user:<id>` or `admin:<token label>`. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'adminToken' ? `admin:${principal.label}` : userActor(principal.user.userId);
}

export interface CredentialOptions {
  /** Whether the call changes something (CSRF protection applies to cookie-authenticated ones). */
  mutation: boolean;
  /** Origins besides the hub's own that may send cookie-authenticated changes (e.g. the portal's). */
  allowedOrigins: readonly string[];
}

export async function authenticatePrincipal(domain: DomainContext, headers: Headers, options: CredentialOptions): Promise<Principal> {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Malformed Authorization header (expected "Bearer <token>")');
    if (isSessionToken(token)) return { kind: 'user', user: await authenticateSession(domain, token), via: 'bearer' };
    const admin = await authenticateAdmin(domain, token);
    return { kind: 'adminToken', label: admin.label };
  }
  const cookie = readCookie(headers.get('cookie'), SESSION_COOKIE);
  if (cookie !== null) {
    // Before the session is even looked up: a forged request learns nothing about it.
    if (options.mutation) checkCsrf(headers, options.allowedOrigins);
    return { kind: 'user', user: await authenticateSession(domain, cookie), via: 'cookie' };
  }
  throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: this operation needs a session (Authorization: Bearer <session token>) or an administrator token');
}

function readCookie(header: string | null, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name && value.length > 0) return value.join('=');
  }
  return null;
}

function checkCsrf(headers: Headers, allowedOrigins: readonly string[]): void {
  if (headers.get(CSRF_HEADER) !== '1') {
    throw new AppError(ErrorCode.FORBIDDEN, `A change authenticated by the session cookie must carry the header "${CSRF_HEADER}: 1" (protection against cross-site request forgery)`, {
      details: { reason: 'csrf' },
    });
  }
  const origin = headers.get('origin');
  if (origin === null || !(allowedOrigins.includes(origin) || isSameOrigin(origin, headers.get('host')))) {
    throw new AppError(ErrorCode.FORBIDDEN, `A change authenticated by the session cookie must come from the hub's own origin or an allowed one (Origin: ${origin ?? 'missing'})`, {
      details: { reason: 'csrf' },
    });
  }
}

function isSameOrigin(origin: string, host: string | null): boolean {
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}
