/**
 * `npm run bench -- <name> [--flags]`: runs one benchmark, prints its table, and writes its figures
 * as JSON (`--out <file>`, default bench-results/<name>-<time>.json).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '@consilium/errors';
import { auditExport, auditExportHelp, auditExportOptions } from './audit-export/index.ts';
import { contribution, contributionHelp, contributionOptions } from './contribution/index.ts';
import type { Benchmark } from './bench-context.ts';
import { readEnv } from './env.ts';
import { fedHeart, fedHeartHelp, fedHeartOptions } from './fed-heart/index.ts';
import { load, loadHelp, loadOptions } from './load/index.ts';
import { secagg, secaggHelp, secaggOptions } from './secagg/index.ts';

const benchmarks: Benchmark[] = [
  { name: 'fed-heart', help: fedHeartHelp, options: fedHeartOptions, run: fedHeart },
  { name: 'secagg', help: secaggHelp, options: secaggOptions, run: secagg },
  { name: 'audit-export', help: auditExportHelp, options: auditExportOptions, run: auditExport },
  { name: 'contribution', help: contributionHelp, options: contributionOptions, run: contribution },
  { name: 'load', help: loadHelp, options: loadOptions, run: load },
];
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

async function main(): Promise<number> {
  const name = process.argv[2];
  const bench = benchmarks.find((b) => b.name === name);
  if (!bench) {
    const known = process.argv.includes('--help') || process.argv.includes('-h') || name === undefined;
    process.stdout.write(`Usage: npm run bench -- <name> [--out result.json] [flags]\n\n${benchmarks.map((b) => b.help).join('\n\n')}\n`);
    if (!known) process.stderr.write(`bench: unknown benchmark "${name}"\n`);
    return known ? 0 : 2;
  }
  // Strict parsing: a misspelt flag is an error, not silently ignored.
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: { out: { type: 'string' }, help: { type: 'boolean' }, ...Object.fromEntries(Object.entries(bench.options).map(([k, type]) => [k, { type }])) },
  });
  if (values.help) {
    process.stdout.write(`${bench.help}\n`);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(repoRoot, '.consilium', 'bench', `${bench.name}-${stamp}`);
  const flags = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : v ? 'true' : undefined]));
  const started = performance.now();
  const result = await bench.run({
    flags,
    workDir,
    databaseUrl: readEnv().DATABASE_URL,
    log: (line) => process.stderr.write(`[${bench.name} ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`),
  });
  const out = path.resolve(typeof values.out === 'string' ? values.out : path.join(repoRoot, 'bench-results', `${bench.name}-${stamp}.json`));
  await mkdir(path.dirname(out), { recursive: true });
  const json = { benchmark: bench.name, date: new Date().toISOString(), node: process.version, ...result.json };
  await writeFile(out, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`${result.text}\n\nFigures written to ${out}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    process.exit(1);
  },
);
