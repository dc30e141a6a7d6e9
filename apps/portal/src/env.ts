/**
 * The portal's environment: the only module that reads process.env.
 *
 *   CONSILIUM_HUB_URL   the hub's base URL (default http://127.0.0.1:4000, the hub's default)
 *
 * The portal holds no credentials of its own: every read of hub data carries the signed-in
 * person's session token (kept in the httpOnly cookie `consilium_portal_session`), so each person
 * sees only what the hub lets their role see.
 *
 * Sign-in rate limits per address: the portal's server calls `auth.login` and forwards the
 * browser's address as `X-Forwarded-For`. The hub believes that header only from addresses listed
 * in its CONSILIUM_TRUSTED_PROXIES, so list the portal's address there (e.g.
 * CONSILIUM_TRUSTED_PROXIES=10.0.0.5); otherwise every sign-in counts against the portal's own
 * address. Put the portal behind a reverse proxy that appends to X-Forwarded-For (do not list that
 * proxy at the hub), or expose it directly.
 *
 * Read at request time, not at import: `next build` runs without it, and a misconfigured portal
 * should explain itself on the page rather than crash.
 */
import 'server-only';
import { z } from 'zod';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:4000';

const PortalEnv = z.object({
  CONSILIUM_HUB_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://hub.example.org' }).optional(),
});

export interface PortalEnv {
  hubUrl: string;
  /** False when CONSILIUM_HUB_URL is unset and the default is used (error messages say so). */
  hubUrlConfigured: boolean;
}

export type EnvResult = { ok: true; env: PortalEnv } | { ok: false; problems: string[] };

export function readPortalEnv(source: Readonly<Record<string, string | undefined>> = process.env): EnvResult {
  const present = Object.fromEntries(Object.entries(source).filter(([key, value]) => key.startsWith('CONSILIUM_') && value !== ''));
  const parsed = PortalEnv.safeParse(present);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`) };
  const { CONSILIUM_HUB_URL } = parsed.data;
  return { ok: true, env: { hubUrl: (CONSILIUM_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, ''), hubUrlConfigured: CONSILIUM_HUB_URL !== undefined } };
}
