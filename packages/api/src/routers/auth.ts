import { changePassword, login, logout, UserRole } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { Id } from '@consilium/schemas';
import { z } from 'zod';
import { accessPolicy, Scope } from '../access-policy.ts';
import type { Principal } from '../principal.ts';
import { roleOf } from '../principal.ts';
import { createTRPCRouter, publicProcedure, userProcedure } from '../trpc.ts';
import { toUserOutput, UserOutput } from './user-outputs.ts';

/** Bounds what reaches scrypt; the domain says what a good password is (12 characters or more). */
const Password = z.string().min(1).max(1024);
/** No control characters (PostgreSQL refuses NUL in text): refused here with a clear error, before any query. */
const SignInEmail = z
  .string()
  .min(1)
  .max(320)
  .refine((email) => ![...email].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

const MeOutput = z.object({
  principal: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('user'),
      userId: Id,
      email: z.string(),
      displayName: z.string(),
      role: UserRole,
      siteId: Id.nullable(),
      passwordChangeRequired: z.boolean(),
      sessionExpiresAt: z.string(),
    }),
    z.object({ kind: z.literal('adminToken'), label: z.string(), role: z.literal('consortium_admin') }),
  ]),
  /** What the caller's role may call, with which scope (from the access policy): for the portal's menus. */
  permissions: z.array(z.object({ procedure: z.string(), scope: z.enum(Object.values(Scope) as [Scope, ...Scope[]]) })),
});

/** An administrator token is a credential, not an account: it has no session or password. */
function sessionUserOf(principal: Principal) {
  if (principal.kind === 'adminToken') {
    throw new AppError(ErrorCode.WRONG_STATE, 'An administrator token has no session or password of its own; revoke or replace the token instead');
  }
  return principal.user;
}

export const authRouter = createTRPCRouter({
  /** Signs a person in; the token is shown once (the portal keeps it in an httpOnly cookie). */
  login: publicProcedure
    .input(z.object({ email: SignInEmail, password: Password }))
    .output(z.object({ token: z.string(), expiresAt: z.string(), user: UserOutput }))
    .mutation(async ({ ctx, input }) => {
      const session = await login(ctx.domain, {
        ...input,
        ip: ctx.request.clientIp ?? null,
        userAgent: ctx.request.headers.get('user-agent'),
      });
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: toUserOutput(session.user) };
    }),

  me: userProcedure.output(MeOutput).query(({ ctx }) => {
    const role = roleOf(ctx.principal);
    const permissions = Object.entries(accessPolicy).flatMap(([procedure, policy]) => {
      const scope = policy.kind === 'user' ? policy.roles[role] : undefined;
      return scope ? [{ procedure, scope }] : [];
    });
    if (ctx.principal.kind === 'adminToken') return { principal: { kind: 'adminToken' as const, label: ctx.principal.label, role: 'consortium_admin' as const }, permissions };
    const { user } = ctx.principal;
    return {
      principal: {
        kind: 'user' as const,
        userId: user.userId,
        email: user.email,
        displayName: user.displayName,
        role: user.role,
        siteId: user.siteId,
        passwordChangeRequired: user.passwordChangeRequired,
        sessionExpiresAt: user.expiresAt.toISOString(),
      },
      permissions,
    };
  }),

  /** Ends the calling session. */
  logout: userProcedure.output(z.object({ loggedOut: z.literal(true) })).mutation(async ({ ctx }) => {
    const user = sessionUserOf(ctx.principal);
    await logout(ctx.domain, { userId: user.userId, sessionId: user.sessionId });
    return { loggedOut: true as const };
  }),

  /** Changes the caller's own password (proving the current one); their other sessions end. */
  changePassword: userProcedure
    .input(z.object({ currentPassword: Password, newPassword: Password }))
    .output(z.object({ sessionsRevoked: z.number().int() }))
    .mutation(({ ctx, input }) => {
      const user = sessionUserOf(ctx.principal);
      return changePassword(ctx.domain, { userId: user.userId, sessionId: user.sessionId, ...input });
    }),
});
