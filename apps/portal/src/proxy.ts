/**
 * The cheap check before every page: no session cookie, straight to /login (remembering where the
 * person was going). Whether the session is still valid only the hub knows: pages ask it, and a
 * refused session redirects to /login?reason=expired, where the stale cookie is dropped here.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { isSessionToken, LOGIN_PATH, loginUrl, SESSION_COOKIE } from './server/session-cookie.ts';

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search, searchParams } = request.nextUrl;
  const cookie = request.cookies.get(SESSION_COOKIE)?.value;
  if (pathname === LOGIN_PATH) {
    const response = NextResponse.next();
    if (cookie !== undefined && searchParams.get('reason') === 'expired') response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  if (!isSessionToken(cookie)) return NextResponse.redirect(new URL(loginUrl({ next: `${pathname}${search}` }), request.url));
  return NextResponse.next();
}

export const config = {
  // Everything but the portal's own liveness check and static files.
  matcher: ['/((?!api/health|_next/static|_next/image|icon.svg|favicon.ico).*)'],
};
