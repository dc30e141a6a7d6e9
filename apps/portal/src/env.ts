/**
 * The portal's environment: the only module that reads process.env (and the admin token file).
 * Server-only: the administrator token must never reach the browser.
 *
 *   CONSILIUM_HUB_URL            the hub's base URL (default http://127.0.0.1:4000, the hub's default)
 *   CONSILIUM_ADMIN_TOKEN        the hub's administrator token, or
 *   CONSILIUM_ADMIN_TOKEN_FILE   a file holding it (e.g. <hub data dir>/admin-token, a mounted secret)
 *
 * Read at request time, not at import: `next build` runs without them, and a misconfigured portal
 * should explain itself on the page rather than crash.
 */
import 'server-only';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:4000';

const PortalEnv = z.object({
  CONSILIUM_HUB_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://hub.example.org' }).optional(),
  CONSILIUM_ADMIN_TOKEN: z.string().trim().min(10, 'looks too short to be an administrator token').optional(),
  CONSILIUM_ADMIN_TOKEN_FILE: z.string().min(1).optional(),
});

export type AdminTokenSource = { kind: 'inline'; token: string } | { kind: 'file'; path: string } | { kind: 'none' };

export interface PortalEnv {
  hubUrl: string;
  /** False when CONSILIUM_HUB_URL is unset and the default is used (error messages say so). */
  hubUrlConfigured: boolean;
  adminToken: AdminTokenSource;
}

export type EnvResult = { ok: true; env: PortalEnv } | { ok: false; problems: string[] };

export function readPortalEnv(source: Readonly<Record<string, string | undefined>> = process.env): EnvResult {
  const present = Object.fromEntries(Object.entries(source).filter(([key, value]) => key.startsWith('CONSILIUM_') && value !== ''));
  const parsed = PortalEnv.safeParse(present);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`) };
  const { CONSILIUM_HUB_URL, CONSILIUM_ADMIN_TOKEN, CONSILIUM_ADMIN_TOKEN_FILE } = parsed.data;
  if (CONSILIUM_ADMIN_TOKEN && CONSILIUM_ADMIN_TOKEN_FILE) {
    return { ok: false, problems: ['Set either CONSILIUM_ADMIN_TOKEN or CONSILIUM_ADMIN_TOKEN_FILE, not both'] };
  }
  const adminToken: AdminTokenSource = CONSILIUM_ADMIN_TOKEN
    ? { kind: 'inline', token: CONSILIUM_ADMIN_TOKEN }
    : CONSILIUM_ADMIN_TOKEN_FILE
      ? { kind: 'file', path: CONSILIUM_ADMIN_TOKEN_FILE }
      : { kind: 'none' };
  return {
    ok: true,
    env: { hubUrl: (CONSILIUM_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, ''), hubUrlConfigured: CONSILIUM_HUB_URL !== undefined, adminToken },
  };
}

export type TokenResult = { ok: true; token: string } | { ok: false; problem: string };

/** The administrator token, read from the environment or its file (re-read per request, so rotation needs no restart). */
export async function resolveAdminToken(source: AdminTokenSource): Promise<TokenResult> {
  switch (source.kind) {
    case 'inline':
      return { ok: true, token: source.token };
    case 'none':
      return { ok: false, problem: 'No administrator token is configured: set CONSILIUM_ADMIN_TOKEN, or CONSILIUM_ADMIN_TOKEN_FILE to a file holding it.' };
    case 'file': {
      let text: string;
      try {
        text = await readFile(source.path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, problem: `CONSILIUM_ADMIN_TOKEN_FILE (${source.path}) cannot be read (${code}).` };
      }
      const token = text.trim();
      if (token.length < 10) return { ok: false, problem: `CONSILIUM_ADMIN_TOKEN_FILE (${source.path}) does not hold an administrator token.` };
      return { ok: true, token };
    }
  }
}
