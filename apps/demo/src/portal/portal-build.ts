import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** What decides whether the portal needs `next build`: its last build and its newest source. */
export interface PortalBuildState {
  /** When `.next/BUILD_ID` was written (null: no complete build). */
  buildIdMtimeMs: number | null;
  /** The most recently modified source file the build depends on (null: none found). */
  newestSource: { file: string; mtimeMs: number } | null;
}

export interface BuildDecision {
  build: boolean;
  /** Why, in words, for the progress line. */
  reason: string;
}

/**
 * Builds when asked to (--rebuild-portal), when there is no complete build (`next build` writes
 * BUILD_ID last), or when a source file changed after it.
 */
export function decidePortalBuild(state: PortalBuildState, options: { force: boolean; display?: (file: string) => string }): BuildDecision {
  if (options.force) return { build: true, reason: 'asked for with --rebuild-portal' };
  if (state.buildIdMtimeMs === null) return { build: true, reason: 'no build yet' };
  if (state.newestSource !== null && state.newestSource.mtimeMs > state.buildIdMtimeMs) {
    const file = options.display ? options.display(state.newestSource.file) : state.newestSource.file;
    return { build: true, reason: `${file} changed since the last build` };
  }
  return { build: false, reason: 'the last build is up to date' };
}

/** Directories and files no build reads. */
const SKIPPED_DIRS = new Set(['node_modules', '.next', '.turbo', 'dist', 'coverage', 'test', '.git']);
const SKIPPED_FILE = /\.test\.tsx?$|\.md$|(^|\/)tsconfig\.tsbuildinfo$/;

/**
 * Reads the portal's build state: BUILD_ID's time, and the newest file of apps/portal and of the
 * workspace packages it depends on (transitively, from the package.json files), plus the lockfile.
 */
export async function readPortalBuildState(repoRoot: string): Promise<PortalBuildState> {
  const portalDir = path.join(repoRoot, 'apps', 'portal');
  const buildIdMtimeMs = await mtimeOf(path.join(portalDir, '.next', 'BUILD_ID'));
  const workspaces = await workspacePackages(repoRoot);
  const dirs = new Set<string>([portalDir]);
  const queue = [portalDir];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    for (const name of await workspaceDependencies(dir)) {
      const depDir = workspaces.get(name);
      if (depDir !== undefined && !dirs.has(depDir)) {
        dirs.add(depDir);
        queue.push(depDir);
      }
    }
  }
  let newestSource: PortalBuildState['newestSource'] = null;
  const consider = (file: string, mtimeMs: number) => {
    if (newestSource === null || mtimeMs > newestSource.mtimeMs) newestSource = { file, mtimeMs };
  };
  const lockfile = path.join(repoRoot, 'package-lock.json');
  const lockMtime = await mtimeOf(lockfile);
  if (lockMtime !== null) consider(lockfile, lockMtime);
  for (const dir of dirs) await walk(dir, consider);
  return { buildIdMtimeMs, newestSource };
}

async function mtimeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

async function walk(dir: string, consider: (file: string, mtimeMs: number) => void): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(file, consider);
    } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name)) {
      const mtimeMs = await mtimeOf(file);
      if (mtimeMs !== null) consider(file, mtimeMs);
    }
  }
}

/** The `@consilium/*` runtime dependencies named in a package's package.json. */
async function workspaceDependencies(packageDir: string): Promise<string[]> {
  const manifest = await readManifest(path.join(packageDir, 'package.json'));
  return Object.keys(manifest?.dependencies ?? {}).filter((name) => name.startsWith('@consilium/'));
}

/** Package name → directory, for the root package.json's workspaces (`dir/*` or `dir`). */
async function workspacePackages(repoRoot: string): Promise<Map<string, string>> {
  const root = await readManifest(path.join(repoRoot, 'package.json'));
  const packages = new Map<string, string>();
  for (const pattern of root?.workspaces ?? []) {
    const candidates: string[] = [];
    if (pattern.endsWith('/*')) {
      const parent = path.join(repoRoot, pattern.slice(0, -2));
      try {
        for (const entry of await readdir(parent, { withFileTypes: true })) if (entry.isDirectory()) candidates.push(path.join(parent, entry.name));
      } catch {
        continue;
      }
    } else {
      candidates.push(path.join(repoRoot, pattern));
    }
    for (const dir of candidates) {
      const manifest = await readManifest(path.join(dir, 'package.json'));
      if (typeof manifest?.name === 'string') packages.set(manifest.name, dir);
    }
  }
  return packages;
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  workspaces?: string[];
}

async function readManifest(file: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}
