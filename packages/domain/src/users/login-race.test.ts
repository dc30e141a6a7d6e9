import { sessions } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { and, eq, isNull } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { createTestAccount, rejectionOf, useDomainHarness } from '../testing/index.ts';
import { changePassword } from './change-password.ts';
import { disableUser } from './manage-users.ts';
import { login } from './login.ts';
import type * as Password from './password.ts';
import { Roles } from './roles.ts';

/** Runs `duringVerify` (once) right after a password check, while the sign-in holds no lock yet. */
const hooks = vi.hoisted(() => ({ duringVerify: null as null | (() => Promise<unknown>) }));
vi.mock('./password.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof Password>();
  return {
    ...actual,
    verifyPassword: async (password: string, hash: string) => {
      const ok = await actual.verifyPassword(password, hash);
      const hook = hooks.duringVerify;
      hooks.duringVerify = null;
      if (hook) await hook();
      return ok;
    },
  };
});

/**
 * A sign-in checks the password outside any transaction (scrypt is slow). A password change or a
 * disabling that commits in that window ends every session, and must end this one too: the sign-in
 * re-reads the account under the row lock before it opens a session.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`a sign-in racing an account change on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    const liveSessions = (userId: string) => ctx().db.select().from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));

    it('opens no session when the password changed while the old one was being checked', async () => {
      // Arrange: the owner is signed in elsewhere; an attacker signs in with the old password.
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const owner = await login(ctx(), { email: account.email, password: account.password, ip: null, userAgent: 'owner' });
      hooks.duringVerify = () =>
        changePassword(ctx(), { userId: account.user.id, sessionId: owner.sessionId, currentPassword: account.password, newPassword: 'a brand new passphrase' });

      // Act
      const refused = await rejectionOf(login(ctx(), { email: account.email, password: account.password, ip: null, userAgent: 'attacker' }));

      // Assert: only the owner's session (which made the change) is left.
      expect(refused.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect((await liveSessions(account.user.id)).map((s) => s.id)).toEqual([owner.sessionId]);
    });

    it('opens no session when the account was disabled while the password was being checked', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      hooks.duringVerify = () => disableUser(ctx(), { userId: account.user.id, actor: 'admin:test', actorUserId: null });

      const refused = await rejectionOf(login(ctx(), { email: account.email, password: account.password, ip: null, userAgent: null }));

      expect(refused.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(await liveSessions(account.user.id)).toEqual([]);
    });
  });
}
