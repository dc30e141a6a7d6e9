import { loginRateLimits, type Executor } from '@consilium/db';
import { sha256Hex } from '@consilium/protocol';
import { isIP } from 'node:net';
import { eq, lt, sql } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';

/** Who is trying: the e-mail typed, and the client's address when the HTTP layer knows it. */
export interface AttemptSource {
  email: string;
  ip: string | null;
}

export interface AttemptVerdict {
  /** Over a limit: the attempt must be refused without checking the password. */
  limited: boolean;
  /** The first refused attempt of its window (audited; later ones are only counted, so floods cannot swell the log). */
  firstRefusal: boolean;
  /** When the fullest window ends. */
  retryAfterSeconds: number;
}

/** Keys are hashes: the table exists to count, not to keep a list of e-mails and addresses people typed. */
function keysOf(ctx: DomainContext, source: AttemptSource): { email: { key: string; limit: number }; ip: { key: string; limit: number } | null } {
  return {
    email: { key: `email:${sha256Hex(source.email)}`, limit: ctx.limits.loginFailuresPerEmail },
    ip: source.ip ? { key: `ip:${sha256Hex(addressBucket(source.ip))}`, limit: ctx.limits.loginFailuresPerIp } : null,
  };
}

/**
 * The unit the per-address limit counts: an IPv4 address (also when written IPv4-mapped, ::ffff:a.b.c.d),
 * or an IPv6 address's /64 — one client usually holds a whole /64, so counting single IPv6
 * addresses would give it 2^64 fresh buckets.
 */
export function addressBucket(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((g) => g.padStart(4, '0')).join(':')}::/64`;
}

/**
 * Counts an attempt before the password is checked, one atomic upsert per key (outside any
 * transaction: the count must stay even if the attempt then fails). Counting first, rather than
 * after a failure, keeps the limit exact when many replicas serve attempts at once; a successful
 * attempt gives its count back (`settleSuccessfulAttempt`), so only failures use up the limit.
 */
export async function countAttempt(ctx: DomainContext, source: AttemptSource): Promise<AttemptVerdict> {
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ctx.limits.loginWindowMs);
  // Housekeeping: windows that have ended count for nothing (the index on window_start keeps this cheap).
  await ctx.db.delete(loginRateLimits).where(lt(loginRateLimits.windowStart, cutoff));
  const verdict: AttemptVerdict = { limited: false, firstRefusal: false, retryAfterSeconds: 0 };
  const { email, ip } = keysOf(ctx, source);
  for (const { key, limit } of ip ? [email, ip] : [email]) {
    const t = loginRateLimits;
    const expired = sql`${t.windowStart} <= ${cutoff.toISOString()}::timestamptz`;
    const [row] = await ctx.db
      .insert(t)
      .values({ key, windowStart: now, count: 1 })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          windowStart: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${t.windowStart} end`,
          count: sql`case when ${expired} then 1 else ${t.count} + 1 end`,
        },
      })
      .returning();
    if (!row || row.count <= limit) continue;
    verdict.limited = true;
    verdict.firstRefusal ||= row.count === limit + 1;
    const endsInMs = row.windowStart.getTime() + ctx.limits.loginWindowMs - now.getTime();
    verdict.retryAfterSeconds = Math.max(verdict.retryAfterSeconds, Math.ceil(endsInMs / 1000));
  }
  return verdict;
}

/** A successful sign-in clears its e-mail's failures and gives back the one attempt it counted on its address. */
export async function settleSuccessfulAttempt(ctx: DomainContext, db: Executor, source: AttemptSource): Promise<void> {
  const { email, ip } = keysOf(ctx, source);
  await db.delete(loginRateLimits).where(eq(loginRateLimits.key, email.key));
  if (ip) {
    await db
      .update(loginRateLimits)
      .set({ count: sql`greatest(${loginRateLimits.count} - 1, 0)` })
      .where(eq(loginRateLimits.key, ip.key));
  }
}
