import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogTail, withLogTail } from './log-tail.ts';

describe('log tails', () => {
  it('returns the last non-empty lines, or nothing for a missing file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-log-'));
    const file = path.join(dir, 'hub.log');
    await writeFile(file, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n\n');
    expect(await readLogTail(file, 2)).toBe('line 29\nline 30');
    expect(await readLogTail(path.join(dir, 'missing.log'))).toBe('');
    expect(await withLogTail('The hub failed.', file, 1)).toBe(`The hub failed.\nLast lines of ${file}:\n  line 30`);
  });

  it('drops a first line cut in the middle when the log is long', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-log-'));
    const file = path.join(dir, 'big.log');
    await writeFile(file, `${'x'.repeat(40_000)}\nlast line\n`);
    expect(await readLogTail(file, 5)).toBe('last line');
  });
});
