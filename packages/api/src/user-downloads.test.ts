import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, createStudy, login, Roles, type UserRole } from '@consilium/domain';
import { createTestAccount, createTestHub, insertTestSite, testStudySpec, type TestHub } from '@consilium/domain/testing';
import { ErrorCode, isAppError } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy, Scope } from './access-policy.ts';
import { authorizeStudyDownload, authorizeUserDownload } from './user-downloads.ts';

/**
 * People's binary downloads (the hub's model parameters route) borrow a procedure's policy entry:
 * every kind of caller gets exactly what `studies.progress` grants it on the study.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`user downloads on ${target.kind}`, { timeout: 120_000 }, () => {
    let hub: TestHub;
    const fixture = { studyA: '', studyB: '' };
    const callers: Array<{ name: string; role: UserRole | null; ownsA: boolean; headers: Headers }> = [];

    beforeAll(async () => {
      hub = await createTestHub(target);
      const domain = hub.ctx;
      const account = (role: UserRole, siteId?: string) => createTestAccount(domain, { role, siteId: siteId ?? null });
      const [leadA, leadB] = [await account(Roles.STUDY_LEAD), await account(Roles.STUDY_LEAD)];
      fixture.studyA = (await createStudy(domain, { spec: testStudySpec({ name: 'Study A', encrypted: false }), actor: 'admin:test', leadUserId: leadA.user.id })).studyId;
      fixture.studyB = (await createStudy(domain, { spec: testStudySpec({ name: 'Study B', encrypted: false }), actor: 'admin:test', leadUserId: leadB.user.id })).studyId;
      const siteA = await insertTestSite(domain, 'Site A', [fixture.studyA]);
      const siteB = await insertTestSite(domain, 'Site B', [fixture.studyB]);
      const { token: adminToken } = await createAdminToken(domain, { label: 'downloads', actor: 'admin:test' });
      const session = async (acct: Awaited<ReturnType<typeof account>>) => (await login(domain, { email: acct.email, password: acct.password, ip: null, userAgent: 'test' })).token;
      const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
      const person = async (name: string, acct: Awaited<ReturnType<typeof account>>, ownsA: boolean) => ({ name, role: acct.user.role, ownsA, headers: bearer(await session(acct)) });
      callers.push(
        { name: 'nobody', role: null, ownsA: false, headers: new Headers() },
        { name: 'administrator token', role: Roles.CONSORTIUM_ADMIN, ownsA: true, headers: bearer(adminToken) },
        await person('consortium_admin', await account(Roles.CONSORTIUM_ADMIN), true),
        await person('study_lead', leadA, true),
        await person('study_lead of another study', leadB, false),
        await person('site_admin', await account(Roles.SITE_ADMIN, siteA), true),
        await person('site_admin of another site', await account(Roles.SITE_ADMIN, siteB), false),
        await person('compliance_officer', await account(Roles.COMPLIANCE_OFFICER), true),
      );
      // A browser's session cookie works for a GET without the CSRF header (it changes nothing).
      callers.push({ name: 'study_lead by cookie', role: Roles.STUDY_LEAD, ownsA: true, headers: new Headers({ cookie: `consilium_session=${await session(leadA)}` }) });
    }, 120_000);
    afterAll(async () => {
      await hub?.close();
    });

    async function outcome(headers: Headers, studyId: string): Promise<string> {
      try {
        await authorizeStudyDownload(hub.ctx, headers, { procedure: 'studies.progress', studyId });
        return 'allowed';
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === ErrorCode.FORBIDDEN) return 'forbidden';
        if (error.code === ErrorCode.UNAUTHENTICATED) return 'unauthenticated';
        return error.code;
      }
    }

    it('grants each caller exactly what studies.progress grants on the study', async () => {
      const policy = accessPolicy['studies.progress']!;
      if (policy.kind !== 'user') throw new Error('studies.progress is a people\'s procedure');
      for (const caller of callers) {
        const scope = caller.role === null ? undefined : policy.roles[caller.role];
        const expected = caller.role === null ? 'unauthenticated' : !scope ? 'forbidden' : scope === Scope.ANY || caller.ownsA ? 'allowed' : 'forbidden';
        expect(`${caller.name}: ${await outcome(caller.headers, fixture.studyA)}`).toBe(`${caller.name}: ${expected}`);
      }
    });

    it('refuses a study that does not exist like one outside the caller\'s scope, and a procedure it cannot borrow', async () => {
      const lead = callers.find((c) => c.name === 'study_lead')!;
      expect(await outcome(lead.headers, '00000000-0000-4000-8000-000000000000')).toBe('forbidden');
      expect(await outcome(lead.headers, fixture.studyB)).toBe('forbidden');
      await expect(authorizeStudyDownload(hub.ctx, lead.headers, { procedure: 'agent.poll', studyId: fixture.studyA })).rejects.toThrow(/cannot borrow/);
      await expect(authorizeStudyDownload(hub.ctx, lead.headers, { procedure: 'studies.list', studyId: fixture.studyA })).rejects.toThrow(/cannot borrow/);
    });

    it('grants a download without a resource (the audit export) exactly to the roles audit.events grants, and names the actor', async () => {
      const policy = accessPolicy['audit.events']!;
      if (policy.kind !== 'user') throw new Error('audit.events is a people\'s procedure');
      for (const caller of callers) {
        let result: string;
        try {
          const { actor } = await authorizeUserDownload(hub.ctx, caller.headers, { procedure: 'audit.events' });
          expect(actor).toMatch(/^(user|admin):/);
          result = 'allowed';
        } catch (error) {
          if (!isAppError(error)) throw error;
          result = error.code === ErrorCode.FORBIDDEN ? 'forbidden' : error.code === ErrorCode.UNAUTHENTICATED ? 'unauthenticated' : error.code;
        }
        const expected = caller.role === null ? 'unauthenticated' : policy.roles[caller.role] ? 'allowed' : 'forbidden';
        expect(`${caller.name}: ${result}`).toBe(`${caller.name}: ${expected}`);
      }
      const admin = callers.find((c) => c.name === 'compliance_officer')!;
      // A scoped policy cannot be borrowed without its resource.
      await expect(authorizeUserDownload(hub.ctx, admin.headers, { procedure: 'studies.list' })).rejects.toThrow(/cannot borrow/);
      await expect(authorizeUserDownload(hub.ctx, admin.headers, { procedure: 'studies.progress' })).rejects.toThrow(/cannot borrow/);
    });
  });
}
