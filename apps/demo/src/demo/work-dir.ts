import { rm } from 'node:fs/promises';
import path from 'node:path';

/** Where one demo run keeps its files. */
export interface DemoWorkDir {
  root: string;
  /** Synthetic CSVs (kept). */
  data: string;
  /** One log per process (kept). */
  logs: string;
  /** The hub's data directory: PGlite database and admin token. */
  hub: string;
  /** The agents' directories: identity keys, key shares, transfer logs. */
  agents: string;
  /** With a shared hub (PostgreSQL, or the portal's), where the sites' identity keys are kept from run to run (else null). */
  siteKeys: string | null;
  /** Whether the hub's data directory is shared by every run (kept), rather than this run's own. */
  sharedHub: boolean;
}

/**
 * `<repoRoot>/.consilium/demo/<timestamp>/…` (.consilium is git-ignored). With PostgreSQL the hub's
 * data directory and the sites' identity keys are shared by every run instead, in
 * .consilium/demo/postgres-hub/: the database remembers its administrator (whose token file its
 * first start wrote) and every site's key across runs. When the demo serves the portal, the
 * embedded hub is shared likewise, in .consilium/demo/portal-hub/: its database keeps the portal's
 * administrator account (and the earlier demo studies) from run to run.
 */
export function demoWorkDir(repoRoot: string, startedAt: Date, options: { postgres: boolean; portal?: boolean }): DemoWorkDir {
  const base = path.join(repoRoot, '.consilium', 'demo');
  const root = path.join(base, startedAt.toISOString().replace(/[:.]/g, '-'));
  const shared = options.postgres ? path.join(base, 'postgres-hub') : options.portal ? path.join(base, 'portal-hub') : null;
  return {
    root,
    data: path.join(root, 'data'),
    logs: path.join(root, 'logs'),
    hub: shared ?? path.join(root, 'hub'),
    agents: path.join(root, 'agents'),
    siteKeys: shared === null ? null : path.join(shared, 'site-keys'),
    sharedHub: shared !== null,
  };
}

/**
 * Removes what only mattered while the study ran — the embedded database and the agents' keys and
 * key shares — and keeps the data and the logs. A shared PostgreSQL hub directory is kept.
 */
export async function removeRunState(dir: DemoWorkDir): Promise<void> {
  await rm(dir.agents, { recursive: true, force: true });
  if (!dir.sharedHub) await rm(dir.hub, { recursive: true, force: true });
}

/** A path as short as it can be shown: relative to `cwd` when it lies inside it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
