import { users } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts';
import { countAttempt, settleSuccessfulAttempt } from './rate-limit.ts';
import { userActor } from './roles.ts';
import { endSessions } from './sessions.ts';
import { loadUser } from './user-records.ts';

export interface ChangePasswordInput {
  userId: string;
  /** The session asking; it stays open while every other session of the account ends. */
  sessionId: string;
  currentPassword: string;
  newPassword: string;
}

/**
 * Changes one's own password, proving the current one (a stolen session alone cannot take the
 * account over); wrong guesses count against the e-mail's sign-in limit and are audited (in a
 * transaction of their own that commits before the error is thrown, as failed sign-ins are). Other
 * sessions end, and a one-time password stops being required.
 */
export async function changePassword(ctx: DomainContext, input: ChangePasswordInput): Promise<{ sessionsRevoked: number }> {
  checkPasswordPolicy(input.newPassword);
  const user = await loadUser(ctx.db, input.userId);
  const source = { email: user.email, ip: null };
  const verdict = await countAttempt(ctx, source);
  if (verdict.limited) {
    if (verdict.firstRefusal) await recordFailure(ctx, user.id, 'rate_limited');
    throw new AppError(ErrorCode.RATE_LIMITED, `Too many wrong passwords; try again in ${Math.ceil(verdict.retryAfterSeconds / 60)} minute(s)`, {
      details: { retryAfterSeconds: verdict.retryAfterSeconds },
    });
  }
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await recordFailure(ctx, user.id, 'wrong_password');
    throw new AppError(ErrorCode.INVALID_INPUT, 'The current password is not correct', { details: { field: 'currentPassword' } });
  }
  if (await verifyPassword(input.newPassword, user.passwordHash)) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The new password must differ from the current one', { details: { field: 'newPassword' } });
  }
  const passwordHash = await hashPassword(input.newPassword);

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const locked = await loadUser(tx, user.id, { forUpdate: true });
    // Another change landed while this one was hashing: the current password proven above is stale.
    if (locked.passwordHash !== user.passwordHash) throw new AppError(ErrorCode.CONFLICT, 'The password was changed meanwhile; sign in again');
    await tx.update(users).set({ passwordHash, passwordChangeRequired: false, passwordChangedAt: ctx.now() }).where(eq(users.id, user.id));
    const sessionsRevoked = await endSessions(tx, user.id, ctx.now(), { except: input.sessionId });
    await settleSuccessfulAttempt(ctx, tx, source);
    audit.record({ action: 'user.password_changed', actor: userActor(user.id), payload: { userId: user.id, sessionsRevoked } });
    return { sessionsRevoked };
  });
}

async function recordFailure(ctx: DomainContext, userId: string, reason: 'wrong_password' | 'rate_limited'): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (_tx, audit) => {
    audit.record({ action: 'user.password_change_failed', actor: userActor(userId), payload: { userId, reason } });
  });
}
