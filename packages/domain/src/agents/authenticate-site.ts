import { requestNonces, sites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { verifyRequestSignature, type SignedRequestFields } from '@consilium/protocol';
import { eq, lt } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthenticatedSite {
  siteId: string;
  siteName: string;
  /** Base64 Ed25519 public key, to verify the site's payload signatures. */
  publicKey: string;
}

/**
 * Verifies a signed agent request: the site exists and is active, the Ed25519 signature covers this
 * method, path, body and timestamp, the timestamp is within the allowed skew, and the nonce has not
 * been seen (it is remembered, so a captured request cannot be replayed).
 */
export async function authenticateSiteRequest(
  ctx: DomainContext,
  input: { signed: SignedRequestFields; method: string; path: string; bodySha256: string },
): Promise<AuthenticatedSite> {
  const { signed } = input;
  // Site ids are UUIDs; anything else cannot be a site (and must not reach a uuid comparison).
  const [site] = UUID.test(signed.siteId) ? await ctx.db.select().from(sites).where(eq(sites.id, signed.siteId)) : [];
  if (!site) throw new AppError(ErrorCode.INVALID_SIGNATURE, 'Unknown site: this agent is not enrolled with this hub');
  verifyRequestSignature({
    publicKey: site.publicKey,
    method: input.method,
    path: input.path,
    bodySha256: input.bodySha256,
    signed,
    now: ctx.now().getTime(),
    maxSkewMs: ctx.limits.maxClockSkewMs,
  });
  // Only a caller holding the site's key learns that it was revoked.
  if (site.status !== 'active') throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.name}" has been revoked`);
  const inserted = await ctx.db
    .insert(requestNonces)
    .values({ siteId: site.id, nonce: signed.nonce, seenAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ nonce: requestNonces.nonce });
  if (inserted.length === 0) {
    throw new AppError(ErrorCode.REPLAYED_REQUEST, 'This request was already received (replayed nonce); the agent must sign every request afresh');
  }
  return { siteId: site.id, siteName: site.name, publicKey: site.publicKey };
}

/** Forgets nonces older than twice the skew window: a request that old is rejected as stale anyway. */
export async function pruneRequestNonces(ctx: DomainContext): Promise<void> {
  const cutoff = new Date(ctx.now().getTime() - 2 * ctx.limits.maxClockSkewMs);
  await ctx.db.delete(requestNonces).where(lt(requestNonces.seenAt, cutoff));
}
