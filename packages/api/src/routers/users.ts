import { changeUserRole, createUser, disableUser, listUsers, revokeUserSessions, UserRole } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { Id } from '@consilium/schemas';
import { z } from 'zod';
import { createTRPCRouter, userProcedure } from '../trpc.ts';
import { toUserListOutput, toUserOutput, UserListOutput, UserOutput } from './user-outputs.ts';

/** The account changes of a person, or of an administrator token (no account of its own). */
const changedBy = (ctx: { actor: string; access: { userId: string | null } }) => ({ actor: ctx.actor, actorUserId: ctx.access.userId });

/** People's accounts: consortium administrators manage them; compliance officers may list them. */
export const usersRouter = createTRPCRouter({
  list: userProcedure.output(z.array(UserListOutput)).query(async ({ ctx }) => (await listUsers(ctx.domain)).map(toUserListOutput)),

  /**
   * Creates an account with a generated one-time password, returned once for the administrator to
   * hand over; its owner must change it at first sign-in. The API never takes a chosen password.
   */
  create: userProcedure
    .input(z.object({ email: z.string().min(3).max(254), displayName: z.string().min(1).max(100), role: UserRole, siteId: Id.nullable().optional() }))
    .output(z.object({ user: UserOutput, oneTimePassword: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await createUser(ctx.domain, { ...input, actor: ctx.actor });
      // No password was passed, so the domain generated one.
      if (created.oneTimePassword === null) throw new AppError(ErrorCode.INTERNAL, 'No one-time password was generated');
      return { user: toUserOutput(created.user), oneTimePassword: created.oneTimePassword };
    }),

  /** Changes a role (a site admin's site with it); effective on the person's next call. */
  setRole: userProcedure
    .input(z.object({ userId: Id, role: UserRole, siteId: Id.nullable().optional() }))
    .output(UserOutput)
    .mutation(async ({ ctx, input }) => toUserOutput(await changeUserRole(ctx.domain, { ...input, ...changedBy(ctx) }))),

  /** Disables an account and ends its sessions. */
  disable: userProcedure
    .input(z.object({ userId: Id }))
    .output(z.object({ sessionsRevoked: z.number().int() }))
    .mutation(({ ctx, input }) => disableUser(ctx.domain, { userId: input.userId, ...changedBy(ctx) })),

  /** Ends all of an account's sessions (a lost laptop); the person can sign in again. */
  revokeSessions: userProcedure
    .input(z.object({ userId: Id }))
    .output(z.object({ sessionsRevoked: z.number().int() }))
    .mutation(({ ctx, input }) => revokeUserSessions(ctx.domain, { userId: input.userId, actor: ctx.actor })),
});
