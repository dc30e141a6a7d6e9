import { users, type Transaction } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq, sql } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction, type AuditTrail } from '../transaction.ts';
import { generateOneTimePassword, hashPassword } from './password.ts';
import { Roles, type UserRole } from './roles.ts';
import { checkSiteBinding } from './site-binding.ts';
import { checkEmail, toUserSummary, type UserSummary } from './user-records.ts';

export interface NewUser {
  email: string;
  displayName: string;
  role: UserRole;
  /** Required for (and only for) a site admin. */
  siteId?: string | null;
  /** Who creates the account (audit actor). */
  actor: string;
  /**
   * The initial password. Omit it and a one-time password is generated and returned (shown once):
   * administrators never have to invent, and so know, a lasting password for someone else.
   */
  password?: string;
  /** Whether the owner must change the password before doing anything else (default true). */
  requirePasswordChange?: boolean;
}

export interface CreatedUser {
  user: UserSummary;
  /** The generated one-time password; null when the caller supplied the password. */
  oneTimePassword: string | null;
}

/** Creates a person's account (consortium administrators do this; the first one comes from createFirstAdmin). */
export async function createUser(ctx: DomainContext, input: NewUser): Promise<CreatedUser> {
  const prepared = await prepare(input);
  return inTransaction(ctx.db, ctx.now, (tx, audit) => insertUser(ctx, tx, audit, input, prepared));
}

/**
 * Creates the first consortium administrator, for the hub CLI: refused once any consortium_admin
 * account exists (enabled or not), so it cannot be used to mint a second administrator later.
 * The returned one-time password is shown once; it must be changed at first sign-in.
 */
export async function createFirstAdmin(
  ctx: DomainContext,
  input: { email: string; displayName: string; actor?: string },
): Promise<{ userId: string; email: string; oneTimePassword: string }> {
  const prepared = await prepare({ email: input.email, displayName: input.displayName, role: Roles.CONSORTIUM_ADMIN });
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    // Two CLI runs at once must not both see "no administrator yet": serialise them on a lock.
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.role, Roles.CONSORTIUM_ADMIN)).limit(1);
    if (existing) {
      throw new AppError(ErrorCode.CONFLICT, 'A consortium administrator already exists; ask them to create further accounts (users.create)');
    }
    const created = await insertUser(ctx, tx, audit, { ...input, role: Roles.CONSORTIUM_ADMIN, actor: input.actor ?? 'cli' }, prepared);
    return { userId: created.user.id, email: created.user.email, oneTimePassword: prepared.oneTimePassword! };
  });
}

/** Arbitrary constant naming the first-administrator lock (pg advisory locks are keyed by numbers). */
const FIRST_ADMIN_LOCK = 4_711_000_001;

interface Prepared {
  email: string;
  displayName: string;
  passwordHash: string;
  oneTimePassword: string | null;
}

/** Validation and hashing, done before the transaction so that scrypt's 0.1 s holds no lock. */
async function prepare(input: Omit<NewUser, 'actor'>): Promise<Prepared> {
  const email = checkEmail(input.email);
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 100) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'A display name needs 1 to 100 characters', { details: { field: 'displayName' } });
  }
  const oneTimePassword = input.password === undefined ? generateOneTimePassword() : null;
  const passwordHash = await hashPassword(input.password ?? oneTimePassword!);
  return { email, displayName, passwordHash, oneTimePassword };
}

async function insertUser(ctx: DomainContext, tx: Transaction, audit: AuditTrail, input: NewUser, prepared: Prepared): Promise<CreatedUser> {
  const siteId = await checkSiteBinding(tx, input.role, input.siteId);
  const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, prepared.email));
  if (taken) throw new AppError(ErrorCode.CONFLICT, `An account for ${prepared.email} already exists`, { details: { field: 'email' } });
  const values = {
    email: prepared.email,
    displayName: prepared.displayName,
    role: input.role,
    siteId,
    passwordHash: prepared.passwordHash,
    passwordChangeRequired: input.requirePasswordChange ?? true,
    createdAt: ctx.now(),
  };
  // The check above answers the usual case in words; the unique index settles a race between two creations.
  const [row] = await tx
    .insert(users)
    .values(values)
    .returning()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AppError(ErrorCode.CONFLICT, `An account for ${prepared.email} already exists`, { details: { field: 'email' } });
      throw error;
    });
  const user = toUserSummary(row!);
  audit.record({
    action: 'user.created',
    actor: input.actor,
    siteId,
    payload: { userId: user.id, email: user.email, displayName: user.displayName, role: user.role, siteId },
  });
  return { user, oneTimePassword: prepared.oneTimePassword };
}

/** PostgreSQL's unique_violation, whether the driver error is thrown bare or wrapped by drizzle. */
function isUniqueViolation(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth += 1) {
    if ((e as { code?: unknown }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
