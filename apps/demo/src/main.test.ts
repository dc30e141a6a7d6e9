import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { describe, expect, it } from 'vitest';

const MAIN = path.join(import.meta.dirname, 'main.ts');

/** `npm start -- …args` without npm: this Node, the demo's entry point. */
function demo(args: string[]) {
  const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm start (errors before anything starts)', () => {
  it('prints the help', () => {
    const { code, stdout } = demo(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--site <NAME=path.csv>');
  });

  it('exits 2 naming a bad flag', () => {
    const { code, stderr } = demo(['--rounds', '3']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^consilium demo: .*'--rounds'.*See --help\.\n$/);
  });

  it('exits 1 naming a missing data file, before starting any process', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-main-'));
    const spec = path.join(dir, 'spec.json');
    await writeFile(spec, JSON.stringify(syntheticStudySpec()));
    const { code, stderr, stdout } = demo(['--study', spec, '--site', `North=${path.join(dir, 'north.csv')}`, '--site', `South=${path.join(dir, 'south.csv')}`]);
    expect(code).toBe(1);
    expect(stderr).toContain(`Site "North": the data file ${path.join(dir, 'north.csv')} does not exist or cannot be read`);
    expect(stdout).toBe('');
  });
});
