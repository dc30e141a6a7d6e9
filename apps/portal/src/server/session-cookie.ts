/**
 * The portal's session cookie, as pure functions (the proxy, server actions and hub.ts share them;
 * unit-tested without Next). The cookie holds the hub's session token (`cses_…`); the browser
 * never reads it (httpOnly) and never sends it cross-site (SameSite=Strict).
 */

export const SESSION_COOKIE = 'consilium_portal_session';

/** Where people sign in; every other page needs a session. */
export const LOGIN_PATH = '/login';
export const PASSWORD_PATH = '/account/password';

/** The shape of a hub session token (`cses_` + base64url). Anything else is not worth sending. */
export function isSessionToken(value: string | undefined | null): value is string {
  return typeof value === 'string' && /^cses_[A-Za-z0-9_-]{16,200}$/.test(value);
}

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  expires: Date;
}

/** The cookie's attributes: it expires with the hub session; Secure whenever the browser uses https. */
export function sessionCookieOptions(expiresAt: string | Date, https: boolean): SessionCookieOptions {
  const expires = expiresAt instanceof Date ? expiresAt : new Date(expiresAt);
  if (Number.isNaN(expires.getTime())) throw new Error('The hub returned an invalid session expiry');
  return { httpOnly: true, sameSite: 'strict', secure: https, path: '/', expires };
}

/**
 * Whether the browser's request came over https: `X-Forwarded-Proto` (first hop, set by a
 * TLS-terminating proxy, or by Next itself from the socket) or the request URL's scheme.
 */
export function isHttpsRequest(headers: Pick<Headers, 'get'>, url?: string): boolean {
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (proto) return proto === 'https';
  return url?.startsWith('https:') ?? false;
}

/**
 * The browser's address chain to forward to the hub as X-Forwarded-For: what reached the portal
 * (Next adds the socket's address when no proxy did). The hub walks it from the right, skipping its
 * trusted proxies (CONSILIUM_TRUSTED_PROXIES), so the portal must be listed there. Null when unknown.
 */
export function forwardedFor(headers: Pick<Headers, 'get'>): string | null {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0 && hop.length <= 64 && /^[0-9A-Fa-f.:[\]]+$/.test(hop));
  return hops.length > 0 ? hops.join(', ') : null;
}

/**
 * A safe place to continue after signing in: a path on this portal only (never `//host` or a URL,
 * which would make the sign-in page an open redirect), and never back to the sign-in pages.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 512) return '/';
  if ([...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  const path = next.split(/[?#]/)[0] ?? '/';
  if (path === LOGIN_PATH || path === PASSWORD_PATH) return '/';
  return next;
}

/** The sign-in page's address, remembering where the person wanted to go. */
export function loginUrl(options: { next?: string; reason?: 'expired' | 'signed-out' } = {}): string {
  const params = new URLSearchParams();
  if (options.reason) params.set('reason', options.reason);
  if (options.next && safeNextPath(options.next) !== '/') params.set('next', options.next);
  const query = params.toString();
  return query ? `${LOGIN_PATH}?${query}` : LOGIN_PATH;
}
