import { users, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import type { UserRole } from './roles.ts';

export type UserRow = typeof users.$inferSelect;

/** An account as shown to administrators and to its owner (never the password hash). */
export interface UserSummary {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  /** The site a site admin is bound to; null for every other role. */
  siteId: string | null;
  passwordChangeRequired: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

export function toUserSummary(row: UserRow): UserSummary {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    siteId: row.siteId,
    passwordChangeRequired: row.passwordChangeRequired,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

/** E-mails are compared lower-cased and trimmed: "Ana@Hospital.org " is ana@hospital.org. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Checks an e-mail address's shape (not deliverability) before an account is created with it. */
export function checkEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `"${email}" is not an e-mail address`, { details: { field: 'email' } });
  }
  return normalized;
}

/** Loads an account by id; `forUpdate` locks it for the rest of the transaction. */
export async function loadUser(db: Executor, userId: string, options: { forUpdate?: boolean } = {}): Promise<UserRow> {
  const query = db.select().from(users).where(eq(users.id, userId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `User ${userId} does not exist`, { details: { userId } });
  return row;
}
