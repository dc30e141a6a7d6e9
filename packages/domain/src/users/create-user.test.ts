import { auditEvents, users } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@consilium/audit';
import { createTestAccount, insertTestSite, rejectionOf, useDomainHarness } from '../testing/index.ts';
import { authenticateSession } from './authenticate-session.ts';
import { createFirstAdmin, createUser } from './create-user.ts';
import { login } from './login.ts';
import { changeUserRole, disableUser, listUsers } from './manage-users.ts';
import { Roles } from './roles.ts';

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`accounts on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;

    it('creates the first consortium administrator once, with a one-time password that must be changed', async () => {
      const first = await createFirstAdmin(ctx(), { email: ' Admin@Consortium.test ', displayName: 'First Admin' });

      expect(first.email).toBe('admin@consortium.test');
      expect(first.oneTimePassword).toMatch(/^[0-9a-z]{5}(-[0-9a-z]{5}){3}$/);
      const session = await login(ctx(), { email: first.email, password: first.oneTimePassword, ip: null, userAgent: null });
      expect(await authenticateSession(ctx(), session.token)).toMatchObject({ userId: first.userId, role: Roles.CONSORTIUM_ADMIN, passwordChangeRequired: true });
      const again = await rejectionOf(createFirstAdmin(ctx(), { email: 'second@consortium.test', displayName: 'Second Admin' }));
      expect(again.code).toBe(ErrorCode.CONFLICT);
      expect(again.message).toContain('already exists');
      expect(await ctx().db.select().from(users).where(eq(users.email, 'second@consortium.test'))).toEqual([]);
      const [created] = await ctx().db.select().from(auditEvents).where(eq(auditEvents.action, 'user.created'));
      expect(created).toMatchObject({ actor: 'cli', payload: { userId: first.userId, email: 'admin@consortium.test', role: 'consortium_admin', siteId: null } });
    });

    it('stores no password, only its scrypt hash', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER });

      const [row] = await ctx().db.select().from(users).where(eq(users.id, account.user.id));

      expect(row!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(JSON.stringify(row)).not.toContain(account.password);
    });

    it('binds a site admin to exactly one existing site, and nobody else to one', async () => {
      const siteId = await insertTestSite(ctx(), 'Binding Hospital');
      const make = (role: (typeof Roles)[keyof typeof Roles], site: string | null) =>
        createUser(ctx(), { email: `bind-${role}-${site ? 'site' : 'none'}@hospital.test`, displayName: 'X', role, siteId: site, actor: 'admin:test' });

      expect((await make(Roles.SITE_ADMIN, siteId)).user.siteId).toBe(siteId);
      expect(await rejectionOf(make(Roles.SITE_ADMIN, null))).toMatchObject({ code: ErrorCode.INVALID_INPUT, details: { field: 'siteId' } });
      expect(await rejectionOf(make(Roles.STUDY_LEAD, siteId))).toMatchObject({ code: ErrorCode.INVALID_INPUT, details: { field: 'siteId' } });
      expect((await rejectionOf(make(Roles.SITE_ADMIN, '00000000-0000-4000-8000-000000000000'))).code).toBe(ErrorCode.NOT_FOUND);
    });

    it('the database itself refuses an unbound site admin and an upper-case e-mail', async () => {
      const row = { displayName: 'Direct', passwordHash: 'scrypt$x', createdAt: ctx().now() };

      const violated = (insert: Promise<unknown>) =>
        insert.then(
          () => 'accepted',
          (error: { cause?: { message?: string } }) => /users_\w+_ck/.exec(error.cause?.message ?? '')?.[0],
        );

      expect(await violated(ctx().db.insert(users).values({ ...row, email: 'direct-1@hospital.test', role: 'site_admin' }))).toBe('users_site_admin_site_ck');
      expect(await violated(ctx().db.insert(users).values({ ...row, email: 'Direct-2@hospital.test', role: 'study_lead' }))).toBe('users_email_lower_ck');
    });

    it('refuses a second account for the same e-mail, whatever its case', async () => {
      await createTestAccount(ctx(), { role: Roles.STUDY_LEAD, email: 'twice@hospital.test' });

      const error = await rejectionOf(createUser(ctx(), { email: 'TWICE@hospital.test', displayName: 'Twice', role: Roles.STUDY_LEAD, actor: 'admin:test' }));

      expect(error.code).toBe(ErrorCode.CONFLICT);
    });

    it('audits creation, role changes and disabling in the chain, and refuses them on one\'s own account', async () => {
      const admin = await createTestAccount(ctx(), { role: Roles.CONSORTIUM_ADMIN });
      const siteId = await insertTestSite(ctx(), 'Role Change Hospital');
      const person = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const by = { actor: `user:${admin.user.id}`, actorUserId: admin.user.id };

      const changed = await changeUserRole(ctx(), { ...by, userId: person.user.id, role: Roles.SITE_ADMIN, siteId });
      await disableUser(ctx(), { ...by, userId: person.user.id });

      expect(changed).toMatchObject({ role: Roles.SITE_ADMIN, siteId });
      expect((await rejectionOf(disableUser(ctx(), { ...by, userId: admin.user.id }))).code).toBe(ErrorCode.FORBIDDEN);
      expect((await rejectionOf(changeUserRole(ctx(), { ...by, userId: admin.user.id, role: Roles.STUDY_LEAD }))).code).toBe(ErrorCode.FORBIDDEN);
      const events = await ctx()
        .db.select()
        .from(auditEvents)
        .where(inArray(sql`${auditEvents.payload}->>'userId'`, [person.user.id]))
        .orderBy(asc(auditEvents.seq));
      expect(events.map((e) => [e.action, e.actor])).toEqual([
        ['user.created', 'admin:test'],
        ['user.role_changed', by.actor],
        ['user.disabled', by.actor],
      ]);
      expect(events[1]!.payload).toMatchObject({ from: 'study_lead', to: 'site_admin', siteId });
      expect((await verifyAuditChain(ctx().db)).ok).toBe(true);
    });

    it('lists accounts with their last sign-in and live sessions, never a password hash', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER });
      await login(ctx(), { email: account.email, password: account.password, ip: null, userAgent: null });

      const listed = (await listUsers(ctx())).find((u) => u.id === account.user.id);

      expect(listed).toMatchObject({ email: account.email, role: Roles.COMPLIANCE_OFFICER, liveSessions: 1, lastSignInAt: ctx().now() });
      expect(Object.keys(listed!)).not.toContain('passwordHash');
    });
  });
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`the first administrator on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);

    it('is created once even when two CLI runs race', async () => {
      const runs = await Promise.allSettled([
        createFirstAdmin(harness.hub.ctx, { email: 'one@consortium.test', displayName: 'One' }),
        createFirstAdmin(harness.hub.ctx, { email: 'two@consortium.test', displayName: 'Two' }),
      ]);

      expect(runs.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await harness.hub.ctx.db.select({ id: users.id }).from(users).where(eq(users.role, 'consortium_admin'))).toHaveLength(1);
    });
  });
}
