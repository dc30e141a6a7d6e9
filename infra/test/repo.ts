import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root (infra/ is one of its workspaces). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readText(file)) as T;
}

/** Every file below `dir` (recursively), skipping node_modules. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out.sort();
}

export function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * All documents of a YAML file as plain values (YAML 1.2). Syntax errors, duplicate keys and
 * warnings throw.
 */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readText(file), { prettyErrors: true, uniqueKeys: true, strict: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs
    .map((doc) => {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length > 0) throw new Error(`${file}: ${problems.map((p) => p.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

export function readYaml(file: string): unknown {
  const docs = readYamlDocuments(file);
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The @consilium/* workspaces a workspace depends on at run time, transitively (by package name → directory). */
export function workspaceClosure(packageName: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(repoPath(group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(group, entry.name);
      try {
        byName.set(readJson<{ name: string }>(repoPath(dir, 'package.json')).name, dir);
      } catch {
        // not a package
      }
    }
  }
  const seen = new Map<string, string>();
  const visit = (name: string) => {
    const dir = byName.get(name);
    if (dir === undefined) throw new Error(`No workspace named ${name}`);
    if (seen.has(name)) return;
    seen.set(name, dir);
    const deps = readJson<{ dependencies?: Record<string, string> }>(repoPath(dir, 'package.json')).dependencies ?? {};
    for (const dep of Object.keys(deps)) if (dep.startsWith('@consilium/')) visit(dep);
  };
  visit(packageName);
  return seen;
}

/** Command names registered with commander (`.command('name')`) in a CLI source file. */
export function cliCommands(cliFile: string): Set<string> {
  return new Set([...readText(cliFile).matchAll(/(?:\.command|adminCommand)\(\s*'([a-z:-]+)/g)].map((m) => m[1]!));
}

/** Keys of the zod object in an app's env.ts (the environment variables the app reads). */
export function envKeys(envFile: string): Set<string> {
  return new Set([...readText(envFile).matchAll(/^\s{2}([A-Za-z_][A-Za-z0-9_]*):\s*z\./gm)].map((m) => m[1]!));
}
