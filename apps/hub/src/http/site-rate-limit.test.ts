import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubCrypto } from '@consilium/domain';
import { SimulatedSite, siteProfiles, testStudySpec } from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTransport, signedFetch } from '../../test/http-transport.ts';
import { adminOverHttp } from '../../test/study-over-http.ts';
import { createHub, type Hub } from '../create-hub.ts';

/**
 * Each site may make `siteRequestsPerWindow` signed requests per window (a token bucket per site,
 * in the hub's memory). Over it, its tRPC calls and binary downloads alike are answered 429
 * RATE_LIMITED with details.retryAfterSeconds and Retry-After; other sites are not affected, and
 * the site is served again once the window has refilled its allowance.
 */
const LIMIT = 3;
// Long next to a request's round trip: the allowance refills by one request every 2 s, so a slow
// machine does not earn the busy site a fresh request in the middle of the test.
const WINDOW_MS = 6000;
const silent = pino({ level: 'silent' });

describe('per-site rate limit on signed agent requests', { timeout: 60_000 }, () => {
  let dir: string;
  let hub: Hub;
  let url: string;
  let siteCrypto: HubCrypto;
  let studyId: string;
  let busy: SimulatedSite;
  let quiet: SimulatedSite;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-rate-'));
    siteCrypto = new HubCrypto();
    hub = createHub({ dataDir: dir, logger: silent, limits: { siteRequestsPerWindow: LIMIT, siteRateWindowMs: WINDOW_MS } });
    const started = await hub.start();
    url = started.url;
    const admin = adminOverHttp(url, (await readFile(started.adminTokenFile!, 'utf8')).trim());
    ({ studyId } = await admin.studies.create.mutate({ spec: testStudySpec() }));
    const transport = httpTransport(() => url);
    const [a, b] = siteProfiles(2);
    const sites = [];
    for (const [i, profile] of [a!, b!].entries()) {
      const { token, siteName } = await admin.studies.issueToken.mutate({ studyId, siteName: `Hospital ${i + 1}` });
      const site = new SimulatedSite({ name: siteName, crypto: siteCrypto, profile });
      site.siteId = (await transport.enroll(site, token)).siteId; // enrolment is not a signed request
      sites.push(site);
    }
    [busy, quiet] = sites as [SimulatedSite, SimulatedSite];
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await siteCrypto?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const poll = (site: SimulatedSite) =>
    signedFetch(site, new URL('/trpc/agent.poll', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agentVersion: 'simulated', backend: null }) });
  const expectLimited = async (response: Response, readCode: (body: unknown) => { code: unknown; details: unknown }) => {
    expect(response.status).toBe(429);
    const { code, details } = readCode(await response.json());
    expect(code).toBe(ErrorCode.RATE_LIMITED);
    const retryAfterSeconds = (details as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(response.headers.get('retry-after')).toBe(String(retryAfterSeconds));
  };
  const trpcError = (body: unknown) => {
    const data = (body as { error: { data: { appCode: unknown; details: unknown } } }).error.data;
    return { code: data.appCode, details: data.details };
  };
  const binaryError = (body: unknown) => (body as { error: { code: unknown; details: unknown } }).error;

  it('refuses a site over its limit with 429 RATE_LIMITED on procedures and downloads, leaving other sites alone, until the window refills', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await poll(busy)).status, `request ${i + 1}`).toBe(200);
    await expectLimited(await poll(busy), trpcError);
    // Binary downloads count too (refused before the domain is asked anything).
    await expectLimited(await signedFetch(busy, new URL(`/v1/studies/${studyId}/public-key`, url), { method: 'GET' }), binaryError);

    // Another site has its own allowance.
    for (let i = 0; i < LIMIT; i++) expect((await poll(quiet)).status, `other site, request ${i + 1}`).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
    for (let i = 0; i < LIMIT; i++) expect((await poll(busy)).status, `after the window, request ${i + 1}`).toBe(200);
    await expectLimited(await poll(busy), trpcError);
  });

  it('does not count unauthenticated requests against a site', async () => {
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
    // Claims to be the quiet site but is not signed by it: refused as such, spending nothing.
    const forged = new SimulatedSite({ name: 'Forger', crypto: siteCrypto, profile: siteProfiles(1)[0]! });
    forged.siteId = quiet.siteId;
    for (let i = 0; i < LIMIT + 2; i++) expect((await poll(forged)).status).toBe(401);
    for (let i = 0; i < LIMIT; i++) expect((await poll(quiet)).status).toBe(200);
  });
});
