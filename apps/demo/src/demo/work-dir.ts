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
  /** With PostgreSQL, where the sites' identity keys are kept from run to run (else null). */
  siteKeys: string | null;
}

/**
 * `<repoRoot>/.consilium/demo/<timestamp>/…` (.consilium is git-ignored). With PostgreSQL the hub's
 * data directory and the sites' identity keys are shared by every run instead, in
 * .consilium/demo/postgres-hub/: the database remembers its administrator (whose token file its
 * first start wrote) and every site's key across runs.
 */
export function demoWorkDir(repoRoot: string, startedAt: Date, options: { postgres: boolean }): DemoWorkDir {
  const base = path.join(repoRoot, '.consilium', 'demo');
  const root = path.join(base, startedAt.toISOString().replace(/[:.]/g, '-'));
  return {
    root,
    data: path.join(root, 'data'),
    logs: path.join(root, 'logs'),
    hub: options.postgres ? path.join(base, 'postgres-hub') : path.join(root, 'hub'),
    agents: path.join(root, 'agents'),
    siteKeys: options.postgres ? path.join(base, 'postgres-hub', 'site-keys') : null,
  };
}

/**
 * Removes what only mattered while the study ran — the embedded database and the agents' keys and
 * key shares — and keeps the data and the logs. A shared PostgreSQL hub directory is kept.
 */
export async function removeRunState(dir: DemoWorkDir): Promise<void> {
  await rm(dir.agents, { recursive: true, force: true });
  if (path.dirname(dir.hub) === dir.root) await rm(dir.hub, { recursive: true, force: true });
}

/** A path as short as it can be shown: relative to `cwd` when it lies inside it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
