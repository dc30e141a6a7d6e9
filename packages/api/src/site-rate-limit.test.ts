import { testDatabaseTargets } from '@consilium/db/testing';
import { HubCrypto, type DomainContext } from '@consilium/domain';
import { createTestHub, refusalOf, setUpStudy, type SimulatedSite, type TestHub } from '@consilium/domain/testing';
import { AppError, ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from './errors.ts';
import { createSiteRateLimiter, type SiteRateLimiter } from './site-rate-limit.ts';
import { apiTransport, callerFor } from './testing/api-transport.ts';

/** What `take` throws, or null when the request is let through. */
function refusal(limiter: SiteRateLimiter, siteId: string): AppError | null {
  try {
    limiter.take(siteId);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

describe('the per-site token bucket', () => {
  it('lets a site burst up to the limit, then refuses it with RATE_LIMITED (HTTP 429) and when to retry', () => {
    let ms = 0;
    const limiter = createSiteRateLimiter({ requests: 5, windowMs: 60_000, now: () => ms });
    for (let i = 0; i < 5; i++) expect(refusal(limiter, 'a'), `request ${i + 1}`).toBeNull();
    const refused = refusal(limiter, 'a');
    expect(refused?.code).toBe(ErrorCode.RATE_LIMITED);
    expect(httpStatusOf(ErrorCode.RATE_LIMITED)).toBe(429);
    expect(refused?.details).toEqual({ retryAfterSeconds: 12 }); // one request's worth: 60 s / 5
    expect(refused?.message).toContain('more than 5 per minute');
    // Another site has its own bucket.
    for (let i = 0; i < 5; i++) expect(refusal(limiter, 'b')).toBeNull();
    // Refusals spend nothing; the bucket refills continuously and is full again after the window.
    ms += 6_000;
    expect(refusal(limiter, 'a')?.details).toEqual({ retryAfterSeconds: 6 });
    ms += 6_000;
    expect(refusal(limiter, 'a')).toBeNull();
    expect(refusal(limiter, 'a')?.code).toBe(ErrorCode.RATE_LIMITED);
    ms += 60_000;
    for (let i = 0; i < 5; i++) expect(refusal(limiter, 'a')).toBeNull();
    expect(refusal(limiter, 'a')?.code).toBe(ErrorCode.RATE_LIMITED);
  });

  it('is off with a limit of 0', () => {
    const limiter = createSiteRateLimiter({ requests: 0, windowMs: 60_000 });
    for (let i = 0; i < 1000; i++) expect(refusal(limiter, 'a')).toBeNull();
  });
});

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`site-signed procedures with a rate limiter on ${target.kind}`, { timeout: 60_000 }, () => {
    let hub: TestHub;
    let siteCrypto: HubCrypto;
    let domain: DomainContext;
    let sites: SimulatedSite[];
    let ms = 0;
    const limiter = createSiteRateLimiter({ requests: 2, windowMs: 60_000, now: () => ms });

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      siteCrypto = new HubCrypto();
      sites = (await setUpStudy(domain, apiTransport(domain), { siteCrypto, sites: 3 })).sites;
    }, 60_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    const poll = (site: SimulatedSite) => {
      const input = { agentVersion: 'simulated', backend: null };
      const request = site.signRequest({ method: 'POST', path: '/trpc/agent.poll', body: JSON.stringify(input), now: domain.now().getTime() });
      return callerFor(domain, request, { siteRateLimiter: limiter }).agent.poll(input);
    };

    it('refuses the site over its limit, not the others, and serves it again after the window', async () => {
      const [busy, other] = sites as [SimulatedSite, SimulatedSite];
      await poll(busy);
      await poll(busy);
      const { error, changedTables } = await refusalOf(domain.db, () => poll(busy));
      expect(error.code).toBe(ErrorCode.RATE_LIMITED);
      expect(error.details).toEqual({ retryAfterSeconds: 30 });
      // Refused after the signature verified (its nonce is spent) but before the procedure ran.
      expect(changedTables.filter((t) => t !== 'request_nonces')).toEqual([]);
      expect((await poll(other)).siteId).toBe(other.siteId);
      ms += 60_000;
      expect((await poll(busy)).siteId).toBe(busy.siteId);
    });
  });
}
