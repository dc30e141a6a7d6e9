import { createRequire } from 'node:module';
import path from 'node:path';

/** The monorepo's root (apps/e2e/src/support → four levels up). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..', '..');

export const portalDir = path.join(repoRoot, 'apps', 'portal');

/** Next's CLI as the portal resolves it (the e2e package does not depend on next itself). */
export const nextCli = createRequire(path.join(portalDir, 'package.json')).resolve('next/dist/bin/next');

/** Where `npm run screenshots -w @consilium/e2e` writes the README's screenshots. */
export const docsScreenshotsDir = path.join(repoRoot, 'docs', 'screenshots');
