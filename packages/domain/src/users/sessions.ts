import { sessions, type Executor } from '@consilium/db';
import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { userActor } from './roles.ts';
import { loadUser } from './user-records.ts';

/** Ends every live session of a person (optionally but one); returns how many were ended. */
export async function endSessions(db: Executor, userId: string, now: Date, options: { except?: string } = {}): Promise<number> {
  const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), options.except ? ne(sessions.id, options.except) : undefined);
  const ended = await db.update(sessions).set({ revokedAt: now }).where(live).returning({ id: sessions.id });
  return ended.length;
}

/** Signs out: the session's token stops working at once, on every hub replica. */
export async function logout(ctx: DomainContext, input: { userId: string; sessionId: string }): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now() })
      .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (ended.length === 0) return;
    audit.record({ action: 'auth.logout', actor: userActor(input.userId), payload: { userId: input.userId, sessionId: input.sessionId } });
  });
}

/** An administrator ends all of a person's sessions (a lost laptop, a suspected compromise). */
export async function revokeUserSessions(ctx: DomainContext, input: { userId: string; actor: string }): Promise<{ sessionsRevoked: number }> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const user = await loadUser(tx, input.userId, { forUpdate: true });
    const sessionsRevoked = await endSessions(tx, user.id, ctx.now());
    audit.record({ action: 'user.sessions_revoked', actor: input.actor, payload: { userId: user.id, email: user.email, sessionsRevoked } });
    return { sessionsRevoked };
  });
}
