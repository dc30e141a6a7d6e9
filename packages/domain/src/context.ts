import type { Database } from '@consilium/db';
import type { ChangeFeed } from './changes.ts';
import type { HubCrypto } from './crypto.ts';

/** Limits the hub enforces on untrusted input. */
export interface HubLimits {
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number;
  /** Allowed clock skew of signed requests (ms). Nonces are remembered for twice this window. */
  maxClockSkewMs: number;
  /** Lifetime of a new enrolment token (ms). */
  enrollmentTokenTtlMs: number;
  /** Consecutive failed training rounds after which a study fails. */
  maxConsecutiveRoundFailures: number;
  /** Absolute lifetime of a sign-in session (ms), however active it is. */
  sessionTtlMs: number;
  /** A session unused for this long (ms) has ended. */
  sessionIdleMs: number;
  /** The fixed window (ms) in which failed sign-ins are counted. */
  loginWindowMs: number;
  /** Failed sign-ins per e-mail address in a window before further attempts are refused. */
  loginFailuresPerEmail: number;
  /** Failed sign-ins per client IP address in a window before further attempts are refused. */
  loginFailuresPerIp: number;
  /**
   * Signed requests one site may make per `siteRateWindowMs` before further ones are refused
   * (RATE_LIMITED); 0 turns the limit off. Counted in memory by each hub process on its own: with
   * several replicas a site may make up to this many per replica.
   */
  siteRequestsPerWindow: number;
  /** The window (ms) `siteRequestsPerWindow` refills over. */
  siteRateWindowMs: number;
}

export const DEFAULT_LIMITS: HubLimits = {
  maxBodyBytes: 256 * 1024 * 1024,
  maxClockSkewMs: 5 * 60 * 1000,
  enrollmentTokenTtlMs: 7 * 24 * 3600 * 1000,
  maxConsecutiveRoundFailures: 3,
  sessionTtlMs: 12 * 3600 * 1000,
  sessionIdleMs: 30 * 60 * 1000,
  loginWindowMs: 15 * 60 * 1000,
  loginFailuresPerEmail: 5,
  loginFailuresPerIp: 20,
  // An agent long-polls (one request per 20 s when idle) and makes a handful of calls per task:
  // 10 a second on average is far above what a working agent needs, and well below a runaway loop.
  siteRequestsPerWindow: 600,
  siteRateWindowMs: 60 * 1000,
};

/** Everything a domain function needs, passed explicitly (no globals, no environment). */
export interface DomainContext {
  db: Database;
  crypto: HubCrypto;
  limits: HubLimits;
  /** Injectable clock so deadlines can be tested. */
  now: () => Date;
  /** Wakes long-polling agents after changes commit (optional: without it, polls return at once). */
  changes?: ChangeFeed;
}
