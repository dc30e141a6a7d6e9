import { randomBytes } from 'node:crypto';
import { sites, studySites, type StudyConsent } from '@consilium/db';
import { generateIdentity } from '@consilium/protocol';
import type { DomainContext } from '../context.ts';
import { createUser } from '../users/create-user.ts';
import type { UserRole } from '../users/roles.ts';
import type { UserSummary } from '../users/user-records.ts';

/** A person's account for tests, with the password it signs in with. */
export interface TestAccount {
  user: UserSummary;
  email: string;
  password: string;
}

/**
 * An account ready to use (no password change pending), with a unique e-mail unless one is given.
 * One scrypt hash: cheap enough per test, so tests need not share accounts.
 */
export async function createTestAccount(ctx: DomainContext, options: { role: UserRole; siteId?: string | null; email?: string; displayName?: string }): Promise<TestAccount> {
  const email = options.email ?? `${options.role.replace('_', '-')}-${randomBytes(4).toString('hex')}@hospital.test`;
  const password = `test password ${randomBytes(6).toString('hex')}`;
  const { user } = await createUser(ctx, {
    email,
    displayName: options.displayName ?? `Test ${options.role}`,
    role: options.role,
    siteId: options.siteId ?? null,
    actor: 'admin:test',
    password,
    requirePasswordChange: false,
  });
  return { user, email: user.email, password };
}

/**
 * A site row as enrolment would leave it (with a fresh identity key nobody signs with: tests of
 * people's access need the site, not its agent), optionally a member of studies (approved, unless
 * `options.consent` says otherwise).
 */
export async function insertTestSite(ctx: DomainContext, name: string, memberOf: readonly string[] = [], options: { consent?: StudyConsent } = {}): Promise<string> {
  const [site] = await ctx.db
    .insert(sites)
    .values({ name, publicKey: generateIdentity().publicKey, enrolledAt: ctx.now() })
    .returning({ id: sites.id });
  const consent = options.consent ?? 'approved';
  for (const studyId of memberOf) {
    await ctx.db
      .insert(studySites)
      .values({ studyId, siteId: site!.id, joinedAt: ctx.now(), consent, ...(consent === 'pending' ? {} : { consentDecidedAt: ctx.now(), consentDecidedBy: 'admin:test' }) });
  }
  return site!.id;
}
