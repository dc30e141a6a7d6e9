import { sites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { fingerprint } from '@consilium/protocol';
import { asc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

export interface SiteSummary {
  id: string;
  name: string;
  status: 'active' | 'revoked';
  publicKeyFingerprint: string;
  enrolledAt: Date;
  lastSeenAt: Date | null;
  agentVersion: string | null;
  backend: string | null;
}

/** Every site of the consortium by name, or only `filter.siteId` (what a site admin sees). */
export async function listSites(ctx: DomainContext, filter: { siteId?: string } = {}): Promise<SiteSummary[]> {
  const rows = await ctx.db
    .select()
    .from(sites)
    .where(filter.siteId ? eq(sites.id, filter.siteId) : undefined)
    .orderBy(asc(sites.name));
  return rows.map((s) => ({
    id: s.id,
    name: s.name,
    status: s.status,
    publicKeyFingerprint: fingerprint(s.publicKey),
    enrolledAt: s.enrolledAt,
    lastSeenAt: s.lastSeenAt,
    agentVersion: s.agentVersion,
    backend: s.backend,
  }));
}

/**
 * Revokes a site (a stolen identity key, a hospital leaving): its requests are refused from the next
 * one on. Rounds it was part of carry on without it where they can; n-of-n decryption needs it, so
 * such rounds fail at their deadline and the study must be re-keyed without it.
 */
export async function revokeSite(ctx: DomainContext, input: { siteName: string; actor: string; reason: string }): Promise<{ siteId: string }> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [site] = await tx.select().from(sites).where(eq(sites.name, input.siteName)).for('update');
    if (!site) throw new AppError(ErrorCode.NOT_FOUND, `No site named "${input.siteName}"`);
    if (site.status === 'revoked') return { siteId: site.id };
    await tx.update(sites).set({ status: 'revoked' }).where(eq(sites.id, site.id));
    audit.record({ action: 'site.revoked', actor: input.actor, siteId: site.id, payload: { siteName: site.name, reason: input.reason } });
    return { siteId: site.id };
  });
}
