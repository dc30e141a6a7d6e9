import { sessions, users } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, asc, count, eq, gt, isNull, max } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import type { UserRole } from './roles.ts';
import { endSessions } from './sessions.ts';
import { checkSiteBinding } from './site-binding.ts';
import { loadUser, toUserSummary, type UserSummary } from './user-records.ts';

/** Who asks for an account change: the audit actor, and their own account if they are a person. */
export interface AccountChangeActor {
  actor: string;
  /** Null for an administrator token. */
  actorUserId: string | null;
}

/** Administrators cannot lock themselves out by accident; another administrator must do it. */
function refuseSelf(input: AccountChangeActor, userId: string, what: string): void {
  if (input.actorUserId === userId) throw new AppError(ErrorCode.FORBIDDEN, `You cannot ${what} your own account; ask another administrator`);
}

/** Disables an account: its sessions end now and it cannot sign in again. Disabling twice changes nothing. */
export async function disableUser(ctx: DomainContext, input: AccountChangeActor & { userId: string }): Promise<{ sessionsRevoked: number }> {
  refuseSelf(input, input.userId, 'disable');
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const user = await loadUser(tx, input.userId, { forUpdate: true });
    if (user.disabledAt) return { sessionsRevoked: 0 };
    await tx.update(users).set({ disabledAt: ctx.now() }).where(eq(users.id, user.id));
    const sessionsRevoked = await endSessions(tx, user.id, ctx.now());
    audit.record({ action: 'user.disabled', actor: input.actor, siteId: user.siteId, payload: { userId: user.id, email: user.email, sessionsRevoked } });
    return { sessionsRevoked };
  });
}

/**
 * Changes an account's role (and the site a site admin is bound to). It takes effect on the
 * person's next call: sessions are not ended, since every call reads the account afresh.
 */
export async function changeUserRole(
  ctx: DomainContext,
  input: AccountChangeActor & { userId: string; role: UserRole; siteId?: string | null },
): Promise<UserSummary> {
  refuseSelf(input, input.userId, 'change the role of');
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const user = await loadUser(tx, input.userId, { forUpdate: true });
    const siteId = await checkSiteBinding(tx, input.role, input.siteId);
    if (user.role === input.role && user.siteId === siteId) return toUserSummary(user);
    const [updated] = await tx.update(users).set({ role: input.role, siteId }).where(eq(users.id, user.id)).returning();
    audit.record({
      action: 'user.role_changed',
      actor: input.actor,
      siteId: siteId ?? user.siteId,
      payload: { userId: user.id, email: user.email, from: user.role, to: input.role, siteId },
    });
    return toUserSummary(updated!);
  });
}

export interface UserListEntry extends UserSummary {
  lastSignInAt: Date | null;
  /** Sessions neither revoked nor past their absolute expiry (some may have gone idle). */
  liveSessions: number;
}

/** Every account, by e-mail, with when it last signed in and how many sessions it has open. */
export async function listUsers(ctx: DomainContext): Promise<UserListEntry[]> {
  const rows = await ctx.db.select().from(users).orderBy(asc(users.email));
  const lastSignIns = await ctx.db.select({ userId: sessions.userId, at: max(sessions.createdAt) }).from(sessions).groupBy(sessions.userId);
  const live = await ctx.db
    .select({ userId: sessions.userId, n: count() })
    .from(sessions)
    .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, ctx.now())))
    .groupBy(sessions.userId);
  return rows.map((row) => ({
    ...toUserSummary(row),
    lastSignInAt: lastSignIns.find((s) => s.userId === row.id)?.at ?? null,
    liveSessions: live.find((s) => s.userId === row.id)?.n ?? 0,
  }));
}
