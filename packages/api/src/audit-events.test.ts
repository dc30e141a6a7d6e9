import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, createStudy, login, Roles, type DomainContext } from '@consilium/domain';
import { createTestAccount, createTestHub, testStudySpec, type TestHub } from '@consilium/domain/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root.ts';
import { unsignedRequest } from './testing/api-transport.ts';
import { createCallerFactory, createContext } from './trpc.ts';

/**
 * `audit.events` and `audit.actions` through the API, as the compliance officer's viewer calls them:
 * the page's shape, filters, keyset cursors in both directions, and input validation. (Who may call
 * them is the access matrix's; paging over 100,000 events is packages/audit's events-page.test.ts.)
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`the audit log viewer's API on ${target.kind}`, { timeout: 120_000 }, () => {
    let hub: TestHub;
    let domain: DomainContext;
    const callerOf = (ctx: ReturnType<typeof createContext>) => createCallerFactory(appRouter)(ctx);
    let officer: ReturnType<typeof callerOf>;
    const studyIds: string[] = [];

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      await createAdminToken(domain, { label: 'viewer', actor: 'admin:test' });
      for (const name of ['Study one', 'Study two', 'Study three', 'Study four', 'Study five']) {
        studyIds.push((await createStudy(domain, { spec: testStudySpec({ name, encrypted: false }), actor: 'admin:test' })).studyId);
      }
      const account = await createTestAccount(domain, { role: Roles.COMPLIANCE_OFFICER });
      const { token } = await login(domain, { email: account.email, password: account.password, ip: null, userAgent: 'viewer' });
      const request = unsignedRequest({ method: 'GET', path: '/trpc/audit.events', headers: { authorization: `Bearer ${token}` } });
      officer = callerOf(createContext(domain, request));
    }, 120_000);
    afterAll(async () => {
      await hub?.close();
    });

    it('pages newest first with keyset cursors, Older then Newer', async () => {
      const all = await officer.audit.events({ limit: 200 });
      expect(all.nextCursor).toBeNull();
      expect(all.prevCursor).toBeNull();
      const seqs = all.events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(all.events[0]).toEqual({
        seq: expect.any(Number),
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        actor: expect.any(String),
        action: expect.any(String),
        studyId: expect.toBeOneOf([null, expect.any(String)]),
        siteId: null,
        roundId: null,
        payload: expect.anything(),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const created = await officer.audit.events({ action: 'study.created', limit: 2 });
      expect(created.events.map((e) => e.studyId)).toEqual([studyIds[4], studyIds[3]]);
      expect(created.events[0]!.payload).toMatchObject({ name: 'Study five' });
      expect(created.prevCursor).toBeNull();
      const older = await officer.audit.events({ action: 'study.created', limit: 2, after: created.nextCursor! });
      expect(older.events.map((e) => e.studyId)).toEqual([studyIds[2], studyIds[1]]);
      const oldest = await officer.audit.events({ action: 'study.created', limit: 2, after: older.nextCursor! });
      expect(oldest.events.map((e) => e.studyId)).toEqual([studyIds[0]]);
      expect(oldest.nextCursor).toBeNull();
      const back = await officer.audit.events({ action: 'study.created', limit: 2, newerThan: oldest.prevCursor! });
      expect(back).toEqual(older);
    });

    it('filters by study, actor and time range', async () => {
      const study = await officer.audit.events({ studyId: studyIds[2]! });
      expect(study.events.length).toBeGreaterThan(0);
      expect(study.events.every((e) => e.studyId === studyIds[2])).toBe(true);
      const byAdmin = await officer.audit.events({ actor: 'admin:test' });
      expect(byAdmin.events.every((e) => e.actor === 'admin:test')).toBe(true);
      expect(await officer.audit.events({ from: '2999-01-01T00:00:00Z' })).toEqual({ events: [], nextCursor: null, prevCursor: null });
    });

    it('refuses a bad filter and serves the action catalogue', async () => {
      await expect(officer.audit.events({ action: 'study.creatd' as 'study.created' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(officer.audit.events({ limit: 201 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(officer.audit.events({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(officer.audit.events({ studyId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      const actions = await officer.audit.actions();
      expect(actions).toContain('study.created');
      expect(actions).toContain('round.completed');
    });
  });
}
