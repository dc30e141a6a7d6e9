import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Per-site request limits for signed agent requests: a token bucket per site id, in the memory of
 * one hub process. Each site may burst up to `requests` and then gets `requests` more per
 * `windowMs`, refilled continuously. Nothing is written to the database per request; the price is
 * that several hub replicas each count on their own (a site may make up to `requests` × replicas
 * per window across the consortium's hub), and a restarted hub starts with full buckets.
 */
export interface SiteRateLimiter {
  /** Counts one request of `siteId`; throws RATE_LIMITED (with `details.retryAfterSeconds`) when its bucket is empty. */
  take(siteId: string): void;
}

export interface SiteRateLimitOptions {
  /** Requests per window (the bucket's size); 0 or less turns the limit off. */
  requests: number;
  /** The window (ms) over which `requests` tokens are refilled. */
  windowMs: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many buckets, full ones (sites idle for a whole window) are dropped. Sites are few and authenticated. */
const PRUNE_ABOVE = 10_000;

export function createSiteRateLimiter(options: SiteRateLimitOptions): SiteRateLimiter {
  const { requests, windowMs } = options;
  const now = options.now ?? (() => performance.now());
  if (!(requests > 0) || !(windowMs > 0)) return { take: () => undefined };
  const perMs = requests / windowMs;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, at: number): void {
    bucket.tokens = Math.min(requests, bucket.tokens + Math.max(0, at - bucket.at) * perMs);
    bucket.at = at;
  }

  return {
    take(siteId) {
      const at = now();
      let bucket = buckets.get(siteId);
      if (!bucket) {
        if (buckets.size >= PRUNE_ABOVE) {
          for (const [id, b] of buckets) {
            refill(b, at);
            if (b.tokens >= requests) buckets.delete(id);
          }
        }
        bucket = { tokens: requests, at };
        buckets.set(siteId, bucket);
      } else {
        refill(bucket, at);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests from this site (more than ${requests} per ${formatWindow(windowMs)}); try again in ${retryAfterSeconds} s`, {
        details: { retryAfterSeconds },
      });
    },
  };
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  if (ms % 1000 === 0) return ms === 1000 ? 'second' : `${ms / 1000} s`;
  return `${ms} ms`;
}
