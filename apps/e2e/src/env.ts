import { tmpdir } from 'node:os';
import path from 'node:path';
import { docsScreenshotsDir } from './support/paths.ts';

/**
 * The end-to-end tests' environment (the only module that reads process.env).
 *
 *   CHROMIUM_PATH        the browser to drive (default: Debian's /usr/bin/chromium)
 *   CONSILIUM_E2E_KEEP   1 keeps the temporary directory (hub data, process logs) after the run
 *   CONSILIUM_SCREENSHOTS 1 writes page screenshots into docs/screenshots (the README's pictures);
 *                         otherwise they go to a temporary folder, so test runs leave the tree clean
 *   DATABASE_URL         a PostgreSQL server: the fault tests also run on a scratch database there
 *                         (created and dropped per test; the hub gets its URL as a flag, never this variable)
 *
 * Child processes (hub, agents, next) get only what `inheritedEnv` lists, never the whole environment.
 */
export const e2eEnv = {
  chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  keepWorkDir: process.env.CONSILIUM_E2E_KEEP === '1',
  screenshotsDir: process.env.CONSILIUM_SCREENSHOTS === '1' ? docsScreenshotsDir : path.join(tmpdir(), 'consilium-e2e-screenshots'),
  postgresUrl: process.env.DATABASE_URL || undefined,
};

/** The variables children inherit: what Node needs to run and find things (no DATABASE_URL, CONSILIUM_*, NODE_ENV). */
export function inheritedEnv(): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'CI']) {
    const value = process.env[key];
    if (value) inherited[key] = value;
  }
  return inherited;
}
