import { sessions, users } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq, lt } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { hashToken } from '../secrets.ts';
import type { UserRole } from './roles.ts';
import { isSessionToken } from './session-token.ts';

/** A signed-in person, as every authorised call sees them. */
export interface SessionUser {
  userId: string;
  sessionId: string;
  email: string;
  displayName: string;
  role: UserRole;
  siteId: string | null;
  passwordChangeRequired: boolean;
  expiresAt: Date;
}

/**
 * `lastSeenAt` is written at most this often: a busy portal page must not turn every read into a
 * write. The idle limit is therefore exact to within this interval.
 */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/**
 * Resolves a session token to its person, or fails with UNAUTHENTICATED saying why (`details.reason`:
 * unknown, revoked, expired, idle, disabled) so the portal can send the person to sign in again.
 * The account is read on every call: a role change or a disabled account takes effect at once.
 */
export async function authenticateSession(ctx: DomainContext, token: string): Promise<SessionUser> {
  const refuse = (reason: string, message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { details: { reason } });
  if (!isSessionToken(token)) throw refuse('unknown', 'Unknown session; sign in again');
  const [row] = await ctx.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, hashToken(token)));
  if (!row) throw refuse('unknown', 'Unknown session; sign in again');
  const { session, user } = row;
  const now = ctx.now();
  if (session.revokedAt) throw refuse('revoked', 'This session has ended (signed out or revoked); sign in again');
  if (now >= session.expiresAt) throw refuse('expired', `Sessions last ${hours(ctx.limits.sessionTtlMs)} hours at most; sign in again`);
  if (now.getTime() - session.lastSeenAt.getTime() >= ctx.limits.sessionIdleMs) {
    throw refuse('idle', `This session was unused for more than ${Math.round(ctx.limits.sessionIdleMs / 60_000)} minutes; sign in again`);
  }
  if (user.disabledAt) throw refuse('disabled', 'This account is disabled');

  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
    await ctx.db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.id, session.id), lt(sessions.lastSeenAt, now)));
  }
  return {
    userId: user.id,
    sessionId: session.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    siteId: user.siteId,
    passwordChangeRequired: user.passwordChangeRequired,
    expiresAt: session.expiresAt,
  };
}

function hours(ms: number): number {
  return Math.round((ms / 3600_000) * 10) / 10;
}
