import { describe, expect, it } from 'vitest';
import { forwardedFor, isHttpsRequest, isSessionToken, loginUrl, safeNextPath, SESSION_COOKIE, sessionCookieOptions } from './session-cookie.ts';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('session cookie', () => {
  it('is called consilium_portal_session', () => {
    expect(SESSION_COOKIE).toBe('consilium_portal_session');
  });

  it('is httpOnly, SameSite=Strict, path /, expires with the session, Secure only over https', () => {
    const expiresAt = '2026-11-26T14:00:00.000Z';
    expect(sessionCookieOptions(expiresAt, true)).toEqual({ httpOnly: true, sameSite: 'strict', secure: true, path: '/', expires: new Date(expiresAt) });
    expect(sessionCookieOptions(new Date(expiresAt), false).secure).toBe(false);
    expect(() => sessionCookieOptions('not a date', true)).toThrow('invalid session expiry');
  });

  it('recognises hub session tokens only', () => {
    expect(isSessionToken('cses_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_ab')).toBe(true);
    expect(isSessionToken('cadm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789')).toBe(false);
    expect(isSessionToken('cses_short')).toBe(false);
    expect(isSessionToken('cses_has spaces in it 0123456789')).toBe(false);
    expect(isSessionToken(undefined)).toBe(false);
    expect(isSessionToken('')).toBe(false);
  });
});

describe('isHttpsRequest', () => {
  it('believes the first X-Forwarded-Proto hop, else the URL', () => {
    expect(isHttpsRequest(headers({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(isHttpsRequest(headers({ 'x-forwarded-proto': 'HTTPS, http' }))).toBe(true);
    expect(isHttpsRequest(headers({ 'x-forwarded-proto': 'http' }), 'https://portal.example.org/')).toBe(false);
    expect(isHttpsRequest(headers({}), 'https://portal.example.org/')).toBe(true);
    expect(isHttpsRequest(headers({}), 'http://127.0.0.1:3000/')).toBe(false);
    expect(isHttpsRequest(headers({}))).toBe(false);
  });
});

describe('forwardedFor', () => {
  it('passes on the address chain, dropping anything that is not an address', () => {
    expect(forwardedFor(headers({ 'x-forwarded-for': '192.0.2.7' }))).toBe('192.0.2.7');
    expect(forwardedFor(headers({ 'x-forwarded-for': '203.0.113.9, ::ffff:10.0.0.2' }))).toBe('203.0.113.9, ::ffff:10.0.0.2');
    expect(forwardedFor(headers({ 'x-forwarded-for': 'unknown, evil.example, 10.0.0.2' }))).toBe('10.0.0.2');
    expect(forwardedFor(headers({}))).toBeNull();
  });
});

describe('safeNextPath and loginUrl', () => {
  it('continues only to paths on this portal', () => {
    expect(safeNextPath('/studies/abc?x=1')).toBe('/studies/abc?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'studies', '', undefined, 42, '/login', '/account/password', '/a\nb']) {
      expect(safeNextPath(bad)).toBe('/');
    }
  });

  it('builds the sign-in address with a reason and where to continue', () => {
    expect(loginUrl()).toBe('/login');
    expect(loginUrl({ next: '/' })).toBe('/login');
    expect(loginUrl({ next: '/studies/abc' })).toBe('/login?next=%2Fstudies%2Fabc');
    expect(loginUrl({ reason: 'expired' })).toBe('/login?reason=expired');
    expect(loginUrl({ next: '//evil.example', reason: 'signed-out' })).toBe('/login?reason=signed-out');
  });
});
