/**
 * The hub imports the strategy, kernels, metrics and model-layout entry points and must not load
 * TensorFlow.js. Checked in a fresh Node process through the package's public exports, because
 * within this test runner tfjs may already be loaded by other files.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Imports `specifiers` in a new Node process and returns the CommonJS modules it loaded. */
async function modulesLoadedBy(specifiers: readonly string[]): Promise<string[]> {
  const script = [
    "import { createRequire } from 'node:module';",
    ...specifiers.map((specifier) => `await import(${JSON.stringify(specifier)});`),
    'console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname });
  return JSON.parse(stdout) as string[];
}

describe('package entry points', () => {
  it('keep TensorFlow.js out of ./strategy, ./kernels, ./metrics and ./model-layout', { timeout: 20_000 }, async () => {
    // Execute
    const tfjsFree = await modulesLoadedBy([
      '@consilium/fl/strategy',
      '@consilium/fl/kernels',
      '@consilium/fl/metrics',
      '@consilium/fl/model-layout',
    ]);
    const everything = await modulesLoadedBy(['@consilium/fl']);

    // Assert: the root entry (which re-exports ./train) proves the check would notice tfjs, and that
    // every source file loads under Node's own type stripping.
    expect(tfjsFree.filter((path) => path.includes('@tensorflow'))).toEqual([]);
    expect(everything.some((path) => path.includes('@tensorflow/tfjs'))).toBe(true);
  });
});
