import { auditEvents } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, Roles, type DomainContext } from '@consilium/domain';
import { createTestAccount, rejectionOf, useDomainHarness, type TestAccount } from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from './errors.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './principal.ts';
import { callerFor, unsignedRequest } from './testing/api-transport.ts';
import { createCallerFactory, createContext } from './trpc.ts';
import { appRouter } from './root.ts';

/** People signing in and out through the API: bearer and cookie sessions, CSRF, one-time passwords, limits. */
const HOST = 'hub.example.org';

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`people's sessions through the API on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const domain = (): DomainContext => harness.hub.ctx;
    /** The API as the hub's HTTP server calls it for a request with these headers. */
    const api = (headers: Record<string, string> = {}, options: { method?: string; clientIp?: string; allowedOrigins?: string[] } = {}) =>
      createCallerFactory(appRouter)(
        createContext(domain(), { ...unsignedRequest({ method: options.method ?? 'POST', path: '/trpc', headers: { host: HOST, ...headers } }), clientIp: options.clientIp ?? null }, {
          allowedOrigins: options.allowedOrigins ?? [],
        }),
      );
    const signIn = async (account: TestAccount, clientIp = '203.0.113.1') => (await api({ 'user-agent': 'Firefox' }, { clientIp }).auth.login({ email: account.email, password: account.password })).token;
    let lead: TestAccount;

    beforeAll(async () => {
      lead = await createTestAccount(domain(), { role: Roles.STUDY_LEAD });
    });

    it('signs in, answers "who am I" with the role\'s permissions, and signs out', async () => {
      const token = await signIn(lead);
      const bearer = { authorization: `Bearer ${token}` };

      const me = await api(bearer).auth.me();
      await api(bearer).auth.logout();

      expect(me.principal).toMatchObject({ kind: 'user', userId: lead.user.id, role: Roles.STUDY_LEAD, passwordChangeRequired: false });
      expect(me.permissions).toContainEqual({ procedure: 'studies.start', scope: 'ledStudy' });
      expect(me.permissions.map((p) => p.procedure)).not.toContain('users.create');
      const after = await rejectionOf(api(bearer).auth.me());
      expect(after).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, details: { reason: 'revoked' } });
      const events = await domain().db.select().from(auditEvents).where(eq(auditEvents.actor, `user:${lead.user.id}`)).orderBy(asc(auditEvents.seq));
      expect(events.map((e) => e.action)).toEqual(['auth.login_succeeded', 'auth.logout']);
      expect(events[0]!.payload).toMatchObject({ ip: '203.0.113.1' });
    });

    it('still accepts administrator tokens, as a consortium_admin without a session', async () => {
      const { token } = await createAdminToken(domain(), { label: 'ops', actor: 'admin:test' });

      const me = await api({ authorization: `Bearer ${token}` }).auth.me();

      expect(me.principal).toEqual({ kind: 'adminToken', label: 'ops', role: 'consortium_admin' });
      expect(await rejectionOf(api({ authorization: `Bearer ${token}` }).auth.logout())).toMatchObject({ code: ErrorCode.WRONG_STATE });
      expect(await rejectionOf(api({ authorization: 'Bearer cadm_unknown' }).auth.me())).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
      expect(await rejectionOf(api({ authorization: 'Basic abc' }).auth.me())).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    });

    describe('the session cookie', () => {
      const cookie = (token: string) => ({ cookie: `theme=dark; ${SESSION_COOKIE}=${token}` });

      it('reads with the cookie alone (queries are not state changes)', async () => {
        const token = await signIn(lead);

        expect((await api(cookie(token), { method: 'GET' }).auth.me()).principal).toMatchObject({ userId: lead.user.id });
      });

      it('refuses a change without the CSRF header, and the session is untouched', async () => {
        const token = await signIn(lead);

        const refused = await rejectionOf(api({ ...cookie(token), origin: `https://${HOST}` }).auth.logout());

        expect(refused).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { reason: 'csrf' } });
        expect(refused.message).toContain(`${CSRF_HEADER}: 1`);
        expect((await api({ authorization: `Bearer ${token}` }).auth.me()).principal).toMatchObject({ userId: lead.user.id });
      });

      it('refuses a change from another origin, or without an Origin, even with the header', async () => {
        const token = await signIn(lead);

        const foreign = await rejectionOf(api({ ...cookie(token), [CSRF_HEADER]: '1', origin: 'https://evil.example' }).auth.logout());
        const missing = await rejectionOf(api({ ...cookie(token), [CSRF_HEADER]: '1' }).auth.logout());

        expect(foreign).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { reason: 'csrf' } });
        expect(foreign.message).toContain('https://evil.example');
        expect(missing).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { reason: 'csrf' } });
      });

      it('accepts a change with the header from the hub\'s own origin or an allowed one', async () => {
        const own = await signIn(lead);
        const portal = await signIn(lead);

        await api({ ...cookie(own), [CSRF_HEADER]: '1', origin: `https://${HOST}` }).auth.logout();
        await api({ ...cookie(portal), [CSRF_HEADER]: '1', origin: 'https://portal.example.org' }, { allowedOrigins: ['https://portal.example.org'] }).auth.logout();

        expect(await rejectionOf(api({ authorization: `Bearer ${own}` }).auth.me())).toMatchObject({ details: { reason: 'revoked' } });
        expect(await rejectionOf(api({ authorization: `Bearer ${portal}` }).auth.me())).toMatchObject({ details: { reason: 'revoked' } });
      });

      it('a bearer token needs no CSRF header (browsers never attach one on their own)', async () => {
        const token = await signIn(lead);

        expect(await api({ authorization: `Bearer ${token}` }).auth.logout()).toEqual({ loggedOut: true });
      });
    });

    it('answers too many failed sign-ins with RATE_LIMITED, i.e. HTTP 429', async () => {
      const account = await createTestAccount(domain(), { role: Roles.COMPLIANCE_OFFICER });
      for (let i = 0; i < 5; i++) await rejectionOf(api({}, { clientIp: '203.0.113.9' }).auth.login({ email: account.email, password: 'wrong password!' }));

      const refused = await rejectionOf(api({}, { clientIp: '203.0.113.9' }).auth.login({ email: account.email, password: account.password }));

      expect(refused.code).toBe(ErrorCode.RATE_LIMITED);
      expect(httpStatusOf(refused.code)).toBe(429);
    });

    it('refuses an e-mail with a control character (a NUL would fail in PostgreSQL) as bad input, naming it', async () => {
      const error = await api({}, { clientIp: '203.0.113.10' })
        .auth.login({ email: 'lead\u0000@hospital.test', password: 'whatever it is' })
        .then(() => null, (e: unknown) => e as { code?: string; message?: string });

      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(error?.message).toContain('must not contain control characters');
    });

    it('an account created with a one-time password may do nothing but change it first', async () => {
      const { token: adminToken } = await createAdminToken(domain(), { label: 'creator', actor: 'admin:test' });
      const created = await api({ authorization: `Bearer ${adminToken}` }).users.create({ email: 'New.Lead@Hospital.test', displayName: 'New Lead', role: Roles.STUDY_LEAD });
      const { token } = await api().auth.login({ email: 'new.lead@hospital.test', password: created.oneTimePassword });
      const bearer = { authorization: `Bearer ${token}` };

      const before = await rejectionOf(api(bearer).studies.list());
      await api(bearer).auth.changePassword({ currentPassword: created.oneTimePassword, newPassword: 'my own long passphrase' });

      expect(created.user).toMatchObject({ email: 'new.lead@hospital.test', role: Roles.STUDY_LEAD, passwordChangeRequired: true });
      expect(before).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { reason: 'password_change_required' } });
      expect(await api(bearer).studies.list()).toEqual([]);
    });

    it('a disabled account\'s session is refused on its next call', async () => {
      const { token: adminToken } = await createAdminToken(domain(), { label: 'disabler', actor: 'admin:test' });
      const person = await createTestAccount(domain(), { role: Roles.COMPLIANCE_OFFICER });
      const token = await signIn(person);

      await api({ authorization: `Bearer ${adminToken}` }).users.disable({ userId: person.user.id });

      expect(await rejectionOf(api({ authorization: `Bearer ${token}` }).audit.verify())).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    });

    it('refuses a call whose credentials are missing before looking at its input', async () => {
      const refused = await rejectionOf(callerFor(domain(), unsignedRequest({ method: 'POST', path: '/trpc/users.create' })).users.create({} as never));

      expect(refused.code).toBe(ErrorCode.UNAUTHENTICATED);
    });
  });
}
