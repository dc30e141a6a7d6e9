import { auditEvents, sessions } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestAccount, rejectionOf, rowsOf, useDomainHarness } from '../testing/index.ts';
import { publicTables } from '../testing/snapshot.ts';
import { authenticateSession } from './authenticate-session.ts';
import { changePassword } from './change-password.ts';
import { createUser } from './create-user.ts';
import { login } from './login.ts';
import { disableUser } from './manage-users.ts';
import { Roles } from './roles.ts';
import { logout, revokeUserSessions } from './sessions.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`sessions on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    const clock = () => harness.hub.clock;
    const signIn = (account: { email: string; password: string }, ip: string | null = null) => login(ctx(), { email: account.email, password: account.password, ip, userAgent: 'vitest' });
    const refusalReason = async (token: string) => {
      const error = await rejectionOf(authenticateSession(ctx(), token));
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      return error.details?.reason;
    };
    const auditedActions = async (userId: string) =>
      (await ctx().db.select().from(auditEvents).where(sql`${auditEvents.payload}->>'userId' = ${userId}`).orderBy(asc(auditEvents.seq))).map((e) => e.action);

    it('signs in with a 32-byte random token of which only the SHA-256 is stored', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });

      const session = await signIn(account, '192.0.2.7');

      expect(session.token).toMatch(/^cses_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(session.token.slice(5), 'base64url')).toHaveLength(32);
      const [row] = await ctx().db.select().from(sessions).where(eq(sessions.id, session.sessionId));
      expect(row).toMatchObject({ userId: account.user.id, tokenHash: sha256Hex(session.token), userAgent: 'vitest', revokedAt: null });
      expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(12 * HOUR);
      for (const table of await publicTables(ctx().db)) {
        const text = JSON.stringify(rowsOf(await ctx().db.execute(sql`select * from ${sql.identifier(table)}`)));
        expect(text, `table ${table}`).not.toContain(session.token.slice(5));
      }
      expect(await authenticateSession(ctx(), session.token)).toMatchObject({ userId: account.user.id, sessionId: session.sessionId, role: Roles.STUDY_LEAD });
    });

    it('ends a session 12 hours after sign-in however active it is', async () => {
      const { token } = await signIn(await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER }));

      for (let elapsed = 0; elapsed < 12 * HOUR; elapsed += 20 * MINUTE) {
        await authenticateSession(ctx(), token);
        clock().advance(20 * MINUTE);
      }

      expect(await refusalReason(token)).toBe('expired');
    });

    it('ends a session unused for 30 minutes; each use restarts the idle time', async () => {
      const { token } = await signIn(await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER }));

      clock().advance(29 * MINUTE);
      await authenticateSession(ctx(), token);
      clock().advance(29 * MINUTE);
      await authenticateSession(ctx(), token);
      clock().advance(30 * MINUTE);

      expect(await refusalReason(token)).toBe('idle');
    });

    it('logout ends the session at once, and is audited', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const session = await signIn(account);

      await logout(ctx(), { userId: account.user.id, sessionId: session.sessionId });

      expect(await refusalReason(session.token)).toBe('revoked');
      expect(await auditedActions(account.user.id)).toEqual(['user.created', 'auth.login_succeeded', 'auth.logout']);
    });

    it('an administrator ends all of a person\'s sessions', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const first = await signIn(account);
      const second = await signIn(account);

      const result = await revokeUserSessions(ctx(), { userId: account.user.id, actor: 'admin:test' });

      expect(result).toEqual({ sessionsRevoked: 2 });
      expect(await refusalReason(first.token)).toBe('revoked');
      expect(await refusalReason(second.token)).toBe('revoked');
      expect((await auditedActions(account.user.id)).at(-1)).toBe('user.sessions_revoked');
    });

    it('disabling an account ends its sessions and refuses its sign-ins like a wrong password', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER });
      const session = await signIn(account);

      expect(await disableUser(ctx(), { userId: account.user.id, actor: 'admin:test', actorUserId: null })).toEqual({ sessionsRevoked: 1 });

      expect(await refusalReason(session.token)).toBe('revoked');
      const error = await rejectionOf(signIn(account));
      expect(error).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: 'Wrong e-mail or password' });
      expect(await disableUser(ctx(), { userId: account.user.id, actor: 'admin:test', actorUserId: null })).toEqual({ sessionsRevoked: 0 });
      const events = await ctx().db.select().from(auditEvents).where(sql`${auditEvents.payload}->>'email' = ${account.email}`).orderBy(asc(auditEvents.seq));
      expect(events.map((e) => [e.action, (e.payload as { reason?: string }).reason])).toEqual([
        ['user.created', undefined],
        ['auth.login_succeeded', undefined],
        ['user.disabled', undefined],
        ['auth.login_failed', 'disabled'],
      ]);
    });

    it('a session token that was never issued, or is malformed, is refused', async () => {
      expect(await refusalReason(`cses_${'A'.repeat(43)}`)).toBe('unknown');
      expect(await refusalReason('not-a-session')).toBe('unknown');
    });

    it('changing the password ends the other sessions, keeps this one and lifts the one-time password', async () => {
      const { user, oneTimePassword } = await createUser(ctx(), { email: 'Nora.Reyes@Hospital.test', displayName: 'Nora Reyes', role: Roles.STUDY_LEAD, actor: 'admin:test' });
      expect(user).toMatchObject({ email: 'nora.reyes@hospital.test', passwordChangeRequired: true });
      const here = await signIn({ email: 'NORA.REYES@hospital.test', password: oneTimePassword! });
      const elsewhere = await signIn({ email: user.email, password: oneTimePassword! });
      const newPassword = 'a much longer passphrase';

      const result = await changePassword(ctx(), { userId: user.id, sessionId: here.sessionId, currentPassword: oneTimePassword!, newPassword });

      expect(result).toEqual({ sessionsRevoked: 1 });
      expect(await authenticateSession(ctx(), here.token)).toMatchObject({ passwordChangeRequired: false });
      expect(await refusalReason(elsewhere.token)).toBe('revoked');
      expect((await rejectionOf(signIn({ email: user.email, password: oneTimePassword! }))).code).toBe(ErrorCode.UNAUTHENTICATED);
      expect((await signIn({ email: user.email, password: newPassword })).user.id).toBe(user.id);
      expect(await auditedActions(user.id)).toContain('user.password_changed');
    });

    it('a password change needs the current password and a new one of 12 characters or more', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const { sessionId } = await signIn(account);
      const change = (currentPassword: string, newPassword: string) => changePassword(ctx(), { userId: account.user.id, sessionId, currentPassword, newPassword });

      expect(await rejectionOf(change('not the password', 'a brand new passphrase'))).toMatchObject({ code: ErrorCode.INVALID_INPUT, details: { field: 'currentPassword' } });
      expect(await rejectionOf(change(account.password, 'too short'))).toMatchObject({ code: ErrorCode.INVALID_INPUT, details: { field: 'password', minLength: 12 } });
      expect(await rejectionOf(change(account.password, account.password))).toMatchObject({ code: ErrorCode.INVALID_INPUT, details: { field: 'newPassword' } });
      // Only the wrong current password is an attempt on the account: audited, as failed sign-ins are.
      expect((await auditedActions(account.user.id)).filter((a) => a === 'user.password_change_failed')).toHaveLength(1);
    });
  });
}
