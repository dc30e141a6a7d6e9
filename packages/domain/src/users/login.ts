import { sessions, users } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq, lt, or, isNotNull } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { hashToken, newSecretToken } from '../secrets.ts';
import { inTransaction } from '../transaction.ts';
import { timingDummyHash, verifyPassword, PASSWORD_MAX_LENGTH } from './password.ts';
import { countAttempt, settleSuccessfulAttempt } from './rate-limit.ts';
import { userActor } from './roles.ts';
import { SESSION_TOKEN_PREFIX } from './session-token.ts';
import { loadUser, normalizeEmail, toUserSummary, type UserSummary } from './user-records.ts';

export interface LoginInput {
  email: string;
  password: string;
  /** The client's address as the HTTP layer established it; null when unknown (then only the per-e-mail limit applies). */
  ip: string | null;
  userAgent: string | null;
}

export interface LoginResult {
  /** The session token (shown once; only its SHA-256 is stored). */
  token: string;
  sessionId: string;
  expiresAt: Date;
  user: UserSummary;
}

/** The one answer to every failed sign-in, so that it does not tell whether the e-mail has an account. */
const WRONG_CREDENTIALS = 'Wrong e-mail or password';

/**
 * Signs a person in: a new session with a 32-byte random token. Every attempt is counted against
 * the e-mail's and the client address's limits first; over a limit it is refused without looking at
 * the password (RATE_LIMITED). An unknown e-mail, a disabled account and a wrong password all get
 * the same error after the same scrypt work. Successes and failures are audited, the failures in a
 * transaction of their own that commits before the error is thrown.
 */
export async function login(ctx: DomainContext, input: LoginInput): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const source = { email, ip: input.ip };
  const verdict = await countAttempt(ctx, source);
  if (verdict.limited) {
    if (verdict.firstRefusal) await recordFailure(ctx, email, 'rate_limited', input.ip, null);
    throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-in attempts; try again in ${Math.ceil(verdict.retryAfterSeconds / 60)} minute(s)`, {
      details: { retryAfterSeconds: verdict.retryAfterSeconds },
    });
  }

  const [user] = await ctx.db.select().from(users).where(eq(users.email, email));
  const hash = user?.passwordHash ?? (await timingDummyHash());
  const passwordOk = input.password.length <= PASSWORD_MAX_LENGTH && (await verifyPassword(input.password, hash));
  if (!user || !passwordOk || user.disabledAt) {
    const reason = !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled';
    await recordFailure(ctx, email, reason, input.ip, user?.id ?? null);
    throw new AppError(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS);
  }

  const token = newSecretToken(SESSION_TOKEN_PREFIX);
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.limits.sessionTtlMs);
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    // The password was checked outside any transaction (scrypt takes a tenth of a second). A password
    // change or a disabling that committed meanwhile ended every session; this one must not outlive
    // it: re-read the account under the same row lock that changePassword and disableUser take.
    const locked = await loadUser(tx, user.id, { forUpdate: true });
    if (locked.passwordHash !== user.passwordHash || locked.disabledAt) throw new AppError(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS);
    await settleSuccessfulAttempt(ctx, tx, source);
    // Housekeeping: this person's sessions that can no longer be used.
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), or(lt(sessions.expiresAt, now), isNotNull(sessions.revokedAt))));
    const [session] = await tx
      .insert(sessions)
      .values({ userId: user.id, tokenHash: hashToken(token), createdAt: now, expiresAt, lastSeenAt: now, userAgent: input.userAgent?.slice(0, 200) ?? null })
      .returning({ id: sessions.id });
    audit.record({ action: 'auth.login_succeeded', actor: userActor(user.id), payload: { userId: user.id, email, sessionId: session!.id, ip: input.ip } });
    return { token, sessionId: session!.id, expiresAt, user: toUserSummary(user) };
  });
}

type FailureReason = 'unknown_email' | 'wrong_password' | 'disabled' | 'rate_limited';

async function recordFailure(ctx: DomainContext, email: string, reason: FailureReason, ip: string | null, userId: string | null): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (_tx, audit) => {
    audit.record({ action: 'auth.login_failed', actor: userId ? userActor(userId) : 'anonymous', payload: { email, reason, ip } });
  });
}
