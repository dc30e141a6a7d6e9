import { createServer } from 'node:net';
import { createHubClient } from '@consilium/api/client';
import { describe, expect, it } from 'vitest';
import type { PortalEnv } from '../env.ts';
import { displayUrl, hubErrorData, isPasswordChangeRequired, isSessionRefused, toHubProblem } from './hub.ts';

const env = (hubUrl: string): PortalEnv => ({ hubUrl, hubUrlConfigured: true });

/** The error a real hub client throws for a canned HTTP answer. */
async function errorFor(response: () => Response | Promise<Response>): Promise<unknown> {
  const client = createHubClient({ url: 'http://hub.test', fetch: async () => response() });
  return client.studies.list.query().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

const trpcError = (code: string, httpStatus: number, message: string, extra: Record<string, unknown> = {}) =>
  Response.json({ error: { message, code: -32001, data: { code, httpStatus, appCode: null, ...extra } } }, { status: httpStatus });

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('toHubProblem', () => {
  it('calls a refused connection "unreachable" and says how to configure the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await createHubClient({ url }).health.check.query().catch((e: unknown) => e);
    const problem = toHubProblem(error, env(url));
    expect(problem.kind).toBe('unreachable');
    expect(problem.detail).toBe(`No answer from ${url}: connection refused.`);
    expect(problem.hint).toContain('CONSILIUM_HUB_URL');
  });

  it('mentions the default URL when CONSILIUM_HUB_URL is not set', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await createHubClient({ url }).health.check.query().catch((e: unknown) => e);
    expect(toHubProblem(error, { ...env(url), hubUrlConfigured: false }).detail).toContain('the default, as CONSILIUM_HUB_URL is not set');
  });

  it('maps the hub\'s UNAUTHORIZED, FORBIDDEN and NOT_FOUND answers', async () => {
    const unauthorized = toHubProblem(await errorFor(() => trpcError('UNAUTHORIZED', 401, 'The session has expired')), env('http://hub.test'));
    expect(unauthorized).toMatchObject({ kind: 'unauthorized', title: 'Your session has ended', detail: 'The session has expired' });
    const forbidden = toHubProblem(await errorFor(() => trpcError('FORBIDDEN', 403, 'A site_admin may not call users.list')), env('http://hub.test'));
    expect(forbidden).toMatchObject({ kind: 'forbidden', title: 'Your role cannot see this', detail: 'A site_admin may not call users.list' });
    expect(toHubProblem(await errorFor(() => trpcError('NOT_FOUND', 404, 'No such study')), env('http://hub.test')).kind).toBe('not-found');
    expect(toHubProblem(await errorFor(() => trpcError('INTERNAL_SERVER_ERROR', 500, 'boom')), env('http://hub.test'))).toMatchObject({
      kind: 'hub-error',
      detail: 'boom (INTERNAL_SERVER_ERROR)',
    });
  });

  it('recognises an answer that is not from a hub', async () => {
    const problem = toHubProblem(await errorFor(() => new Response('<html>proxy login</html>', { status: 200, headers: { 'content-type': 'text/html' } })), env('http://hub.test'));
    expect(problem.kind).toBe('hub-error');
    expect(problem.title).toBe('Unexpected answer from the hub');
  });
});

describe('session outcomes', () => {
  it('recognises a refused session and a one-time password still to change', async () => {
    const refused = await errorFor(() => trpcError('UNAUTHORIZED', 401, 'Session revoked', { appCode: 'UNAUTHENTICATED', details: { reason: 'revoked' } }));
    expect(isSessionRefused(refused)).toBe(true);
    expect(isPasswordChangeRequired(refused)).toBe(false);
    expect(hubErrorData(refused)).toEqual({ message: 'Session revoked', code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED', details: { reason: 'revoked' }, zodIssues: null });

    const mustChange = await errorFor(() =>
      trpcError('FORBIDDEN', 403, 'Change your one-time password first (auth.changePassword)', { appCode: 'FORBIDDEN', details: { reason: 'password_change_required' } }),
    );
    expect(isPasswordChangeRequired(mustChange)).toBe(true);
    expect(isSessionRefused(mustChange)).toBe(false);

    const otherForbidden = await errorFor(() => trpcError('FORBIDDEN', 403, 'A study_lead may not call users.list', { appCode: 'FORBIDDEN' }));
    expect(isPasswordChangeRequired(otherForbidden)).toBe(false);
  });

  it('has no hub error data when no hub answered', async () => {
    expect(hubErrorData(await errorFor(() => new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } })))).toBeNull();
    expect(hubErrorData(new Error('x'))).toBeNull();
  });
});

describe('displayUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(displayUrl('https://user:secret@hub.example.org/base?x=1#y')).toBe('https://hub.example.org/base');
    expect(displayUrl('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
  });
});
