import { adminTokens, consortium } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { hashToken, newSecretToken } from '../secrets.ts';
import { inTransaction } from '../transaction.ts';

/** Creates the hub's consortium record on first start; later starts keep the stored name. */
export async function ensureConsortium(ctx: DomainContext, name: string): Promise<{ name: string; created: boolean }> {
  const [existing] = await ctx.db.select().from(consortium).where(eq(consortium.id, 1));
  if (existing) return { name: existing.name, created: false };
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const inserted = await tx.insert(consortium).values({ id: 1, name }).onConflictDoNothing().returning();
    if (inserted.length === 0) return { name, created: false };
    audit.record({ action: 'consortium.initialized', actor: 'hub', payload: { name } });
    return { name, created: true };
  });
}

/** Creates an administrator token (shown once; only its hash is stored). */
export async function createAdminToken(ctx: DomainContext, input: { label: string; actor: string }): Promise<{ token: string }> {
  const token = newSecretToken('cadm');
  await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    await tx.insert(adminTokens).values({ tokenHash: hashToken(token), label: input.label, createdAt: ctx.now() });
    audit.record({ action: 'admin.token_created', actor: input.actor, payload: { label: input.label } });
  });
  return { token };
}

/**
 * Creates the hub's first administrator token when there is none yet (first start), else returns
 * null. Several hub replicas starting at once must not each mint one: the check and the insert run
 * in one transaction serialised on an advisory lock, so exactly one replica creates the token.
 */
export async function createBootstrapAdminToken(ctx: DomainContext): Promise<{ token: string } | null> {
  const [existing] = await ctx.db.select({ id: adminTokens.id }).from(adminTokens).limit(1);
  if (existing) return null;
  const token = newSecretToken('cadm');
  const created = await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_ADMIN_TOKEN_LOCK})`);
    const [again] = await tx.select({ id: adminTokens.id }).from(adminTokens).limit(1);
    if (again) return false;
    await tx.insert(adminTokens).values({ tokenHash: hashToken(token), label: 'bootstrap', createdAt: ctx.now() });
    audit.record({ action: 'admin.token_created', actor: 'hub', payload: { label: 'bootstrap' } });
    return true;
  });
  return created ? { token } : null;
}

/** Arbitrary constant naming the bootstrap-token lock (see FIRST_ADMIN_LOCK in users/create-user.ts). */
const BOOTSTRAP_ADMIN_TOKEN_LOCK = 4_711_000_002;

/** Resolves an administrator token to its label, or fails with UNAUTHENTICATED. */
export async function authenticateAdmin(ctx: DomainContext, token: string): Promise<{ label: string }> {
  const [row] = await ctx.db
    .select({ label: adminTokens.label })
    .from(adminTokens)
    .where(and(eq(adminTokens.tokenHash, hashToken(token)), isNull(adminTokens.revokedAt)));
  if (!row) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Unknown or revoked administrator token');
  return row;
}
