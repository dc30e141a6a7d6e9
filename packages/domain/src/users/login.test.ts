import { auditEvents } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestAccount, rejectionOf, useDomainHarness, type TestAccount } from '../testing/index.ts';
import { login } from './login.ts';
import { Roles } from './roles.ts';

const MINUTE = 60_000;

/**
 * Sign-in limits: 5 failures per e-mail and 20 per client address in a 15-minute window, after which
 * attempts are refused (RATE_LIMITED) without the password being looked at. Unknown e-mails are
 * answered and limited exactly like known ones.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`sign-in and its rate limits on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    let ipCounter = 0;
    /** A fresh client address per test, so the per-address limit of one test does not spill into another. */
    const freshIp = () => `198.51.100.${++ipCounter}`;
    const attempt = (email: string, password: string, ip: string | null) => login(ctx(), { email, password, ip, userAgent: null });
    const failures = async (email: string) =>
      (await ctx().db.select().from(auditEvents).where(eq(auditEvents.action, 'auth.login_failed')).orderBy(asc(auditEvents.seq)))
        .map((e) => e.payload as { email: string; reason: string })
        .filter((p) => p.email === email)
        .map((p) => p.reason);
    const fail5 = async (account: TestAccount | { email: string }, ip: string) => {
      for (let i = 0; i < 5; i++) expect((await rejectionOf(attempt(account.email, `wrong password ${i}`, ip))).code).toBe(ErrorCode.UNAUTHENTICATED);
    };

    it('answers an unknown e-mail exactly as a wrong password', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const ip = freshIp();

      const wrongPassword = await rejectionOf(attempt(account.email, 'not the right one', ip));
      const unknownEmail = await rejectionOf(attempt('nobody@hospital.test', 'not the right one', ip));

      expect({ code: unknownEmail.code, message: unknownEmail.message, details: unknownEmail.details }).toEqual({
        code: wrongPassword.code,
        message: wrongPassword.message,
        details: wrongPassword.details,
      });
      expect(wrongPassword).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: 'Wrong e-mail or password' });
      expect(await failures(account.email)).toEqual(['wrong_password']);
      expect(await failures('nobody@hospital.test')).toEqual(['unknown_email']);
    });

    it('refuses the 6th attempt on an e-mail within 15 minutes, even with the right password, until the window ends', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      await fail5(account, freshIp());

      const refused = await rejectionOf(attempt(account.email, account.password, freshIp()));

      expect(refused.code).toBe(ErrorCode.RATE_LIMITED);
      expect(refused.message).toContain('Too many failed sign-in attempts; try again in 15 minute(s)');
      expect(refused.details).toEqual({ retryAfterSeconds: 15 * 60 });
      harness.hub.clock.advance(15 * MINUTE);
      expect((await attempt(account.email, account.password, freshIp())).user.id).toBe(account.user.id);
    });

    it('limits unknown e-mails the same way, so the limit does not tell which exist', async () => {
      const email = 'ghost@hospital.test';
      await fail5({ email }, freshIp());

      expect((await rejectionOf(attempt(email, 'whatever it is', freshIp()))).code).toBe(ErrorCode.RATE_LIMITED);
    });

    it('audits every failure, and only the first refusal of a window (a flood cannot swell the log)', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.COMPLIANCE_OFFICER });
      await fail5(account, freshIp());

      for (let i = 0; i < 3; i++) expect((await rejectionOf(attempt(account.email, account.password, freshIp()))).code).toBe(ErrorCode.RATE_LIMITED);

      expect(await failures(account.email)).toEqual(['wrong_password', 'wrong_password', 'wrong_password', 'wrong_password', 'wrong_password', 'rate_limited']);
    });

    it('a successful sign-in clears its e-mail\'s failures', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const ip = freshIp();
      for (let i = 0; i < 4; i++) await rejectionOf(attempt(account.email, 'wrong password', ip));
      await attempt(account.email, account.password, ip);

      for (let i = 0; i < 4; i++) await rejectionOf(attempt(account.email, 'wrong password', ip));

      expect((await attempt(account.email, account.password, ip)).user.id).toBe(account.user.id);
    });

    it('refuses a client address after 20 failures whatever the e-mail; other addresses are unaffected', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const noisy = freshIp();
      for (let i = 0; i < 20; i++) await rejectionOf(attempt(`spray-${i}@hospital.test`, 'wrong password', noisy));

      expect((await rejectionOf(attempt(account.email, account.password, noisy))).code).toBe(ErrorCode.RATE_LIMITED);
      expect((await attempt(account.email, account.password, freshIp())).user.id).toBe(account.user.id);
    });

    it('sign-ins that succeed do not use up their address\'s allowance (a hospital behind one NAT address)', async () => {
      const account = await createTestAccount(ctx(), { role: Roles.STUDY_LEAD });
      const shared = freshIp();

      const signedIn: string[] = [];
      for (let i = 0; i < 25; i++) signedIn.push((await attempt(account.email, account.password, shared)).user.id);

      expect(new Set(signedIn)).toEqual(new Set([account.user.id]));
      expect(signedIn).toHaveLength(25);
    });
  });
}
