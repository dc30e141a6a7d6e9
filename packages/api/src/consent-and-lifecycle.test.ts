import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, createStudy, HubCrypto, login, revokeEnrollmentToken, Roles } from '@consilium/domain';
import { createTestAccount, createTestHub, rejectionOf, SimulatedSite, testStudySpec, type TestHub } from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport, callerFor, unsignedRequest } from './testing/api-transport.ts';

/**
 * The procedures the portal uses for consent and a study's life, through the caller as the HTTP
 * server calls them: a site enrolled without approving is pending; its site administrator sees the
 * study on the site's page and approves it; the lead lists the study's tokens and pauses, resumes
 * and stops it.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`consent and study lifecycle through the API on ${target.kind}`, { timeout: 120_000 }, () => {
    let hub: TestHub;
    let siteCrypto: HubCrypto;
    const headersOf: Record<string, Record<string, string>> = {};
    let studyId = '';
    const site = { name: 'Consenting Hospital', id: '' };

    const api = (who: string, method: 'GET' | 'POST', path: string) => callerFor(hub.ctx, unsignedRequest({ method, path: `/trpc/${path}`, headers: headersOf[who] }));

    beforeAll(async () => {
      hub = await createTestHub(target);
      siteCrypto = new HubCrypto();
      const lead = await createTestAccount(hub.ctx, { role: Roles.STUDY_LEAD });
      studyId = (await createStudy(hub.ctx, { spec: testStudySpec({ name: 'Consent study', encrypted: false, minSitesPerRound: 1 }), actor: 'admin:test', leadUserId: lead.user.id })).studyId;
      const { token: adminToken } = await createAdminToken(hub.ctx, { label: 'consent', actor: 'admin:test' });
      headersOf.admin = { authorization: `Bearer ${adminToken}` };
      headersOf.lead = { authorization: `Bearer ${(await login(hub.ctx, { email: lead.email, password: lead.password, ip: null, userAgent: 'test' })).token}` };
      const issued = await api('lead', 'POST', 'studies.issueToken').studies.issueToken({ studyId, siteName: site.name });
      // The test clock stands still: without this both tokens would share a creation instant and
      // "newest first" would fall back to the ids' random order.
      hub.clock.advance(1_000);
      const unused = await api('lead', 'POST', 'studies.issueToken').studies.issueToken({ studyId, siteName: 'Undecided Hospital' });
      await revokeEnrollmentToken(hub.ctx, { tokenId: unused.tokenId, actor: 'admin:test' });
      const agent = new SimulatedSite({ name: site.name, crypto: siteCrypto, profile: { samples: 120, positives: 20 } });
      const enrolled = await apiTransport(hub.ctx).enroll(agent, issued.token, { approveStudy: false });
      expect(enrolled).toMatchObject({ consent: 'pending', studyStarted: false });
      site.id = enrolled.siteId;
      const siteAdmin = await createTestAccount(hub.ctx, { role: Roles.SITE_ADMIN, siteId: site.id });
      headersOf.siteAdmin = { authorization: `Bearer ${(await login(hub.ctx, { email: siteAdmin.email, password: siteAdmin.password, ip: null, userAgent: 'test' })).token}` };
    }, 120_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    it('lists the study\'s tokens newest first, with what became of each, never the token', async () => {
      const tokens = await api('lead', 'GET', 'studies.tokens').studies.tokens({ studyId });
      expect(tokens.map((t) => [t.siteName, t.state])).toEqual([
        ['Undecided Hospital', 'revoked'],
        [site.name, 'used'],
      ]);
      expect(Object.keys(tokens[0]!).sort()).toEqual(['createdAt', 'expiresAt', 'revokedAt', 'siteName', 'state', 'tokenId', 'usedAt']);
    });

    it('shows the site administrator the study and its decision, takes the approval, and starts the study', async () => {
      const before = await api('siteAdmin', 'GET', 'sites.detail').sites.detail({ siteName: site.name });
      expect(before.site.name).toBe(site.name);
      expect(before.keyHistory).toEqual([{ fingerprint: before.site.publicKeyFingerprint, since: expect.any(String), until: null }]);
      expect(before.studies).toEqual([
        expect.objectContaining({ studyId, studyName: 'Consent study', status: 'enrolling', consent: 'pending', consentDecidedAt: null, secureAggregation: 'none', differentialPrivacy: false }),
      ]);
      // Consent is the site's own: an administrator cannot give it.
      expect((await rejectionOf(api('admin', 'POST', 'sites.decideConsent').sites.decideConsent({ siteName: site.name, studyId, decision: 'approve' }))).code).toBe(ErrorCode.FORBIDDEN);

      const decided = await api('siteAdmin', 'POST', 'sites.decideConsent').sites.decideConsent({ siteName: site.name, studyId, decision: 'approve', note: 'approved by our ethics board' });

      expect(decided).toEqual({ consent: 'approved', decidedAt: expect.any(String) });
      const after = await api('siteAdmin', 'GET', 'sites.detail').sites.detail({ siteName: site.name });
      expect(after.studies[0]).toMatchObject({ consent: 'approved', consentDecidedAt: decided.decidedAt, consentNote: 'approved by our ethics board', status: 'running' });
      const progress = await api('lead', 'GET', 'studies.progress').studies.progress({ studyId });
      expect(progress.sites).toEqual([expect.objectContaining({ name: site.name, consent: 'approved', consentDecidedAt: decided.decidedAt })]);
    });

    it('pauses, resumes and stops the study for its lead', async () => {
      const { pausedAt } = await api('lead', 'POST', 'studies.pause').studies.pause({ studyId, reason: 'checking the data' });
      expect((await api('lead', 'GET', 'studies.progress').studies.progress({ studyId })).pausedAt).toBe(pausedAt);
      // The overview marks it too.
      expect(await api('lead', 'GET', 'studies.list').studies.list()).toEqual([expect.objectContaining({ id: studyId, pausedAt })]);
      expect(await api('lead', 'POST', 'studies.resume').studies.resume({ studyId })).toEqual({ resumedAt: expect.any(String) });
      expect(await api('lead', 'GET', 'studies.list').studies.list()).toEqual([expect.objectContaining({ id: studyId, pausedAt: null })]);
      const { stoppedAt } = await api('lead', 'POST', 'studies.stop').studies.stop({ studyId, reason: 'the protocol changed' });
      const progress = await api('lead', 'GET', 'studies.progress').studies.progress({ studyId });
      expect(progress).toMatchObject({ status: 'stopped', stoppedAt, stopReason: 'the protocol changed', pausedAt: null });
      expect(progress.rounds.at(-1)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('the protocol changed') });
    });
  });
}
