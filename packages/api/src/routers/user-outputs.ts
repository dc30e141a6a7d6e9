import type { UserListEntry, UserSummary } from '@consilium/domain';
import { UserRole } from '@consilium/domain';
import { Id } from '@consilium/schemas';
import { z } from 'zod';

/** Output shapes of the auth and users routers. Dates travel as ISO strings; never a password hash. */
export const UserOutput = z.object({
  id: Id,
  email: z.string(),
  displayName: z.string(),
  role: UserRole,
  siteId: Id.nullable(),
  passwordChangeRequired: z.boolean(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});
export type UserOutput = z.infer<typeof UserOutput>;

export const UserListOutput = UserOutput.extend({ lastSignInAt: z.string().nullable(), liveSessions: z.number().int() });

export function toUserOutput(user: UserSummary): UserOutput {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    siteId: user.siteId,
    passwordChangeRequired: user.passwordChangeRequired,
    createdAt: user.createdAt.toISOString(),
    disabledAt: user.disabledAt?.toISOString() ?? null,
  };
}

export function toUserListOutput(user: UserListEntry): z.infer<typeof UserListOutput> {
  return { ...toUserOutput(user), lastSignInAt: user.lastSignInAt?.toISOString() ?? null, liveSessions: user.liveSessions };
}
