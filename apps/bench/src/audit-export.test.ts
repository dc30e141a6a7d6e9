import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditExport } from './audit-export/index.ts';

describe('audit-export benchmark', () => {
  let root: string | undefined;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('fills a log, exports it in both formats and verifies each export, reporting every figure', { timeout: 120_000 }, async () => {
    // Setup
    root = await mkdtemp(path.join(tmpdir(), 'consilium-bench-audit-'));
    const workDir = path.join(root, 'run');

    // Execute
    const { json, text } = await auditExport({ flags: { events: '2000', 'page-size': '300' }, workDir, databaseUrl: undefined, log: () => undefined });

    // Assert
    expect(json).toMatchObject({ events: 2000, database: 'pglite', page_size: 300 });
    const steps = { ...(json.export as object), ...Object.fromEntries(Object.entries(json.verify as object).map(([k, v]) => [`verify ${k}`, v])) } as Record<string, Record<string, number>>;
    for (const [name, figures] of Object.entries(steps)) {
      expect(figures.events, name).toBe(2000);
      for (const figure of ['seconds', 'events_per_s', 'peak_rss_bytes', 'file_bytes']) expect(Number.isFinite(figures[figure]) && figures[figure]! > 0, `${name}.${figure}`).toBe(true);
    }
    expect(json.filtered).toMatchObject({ export: { events: 200 }, verify: { events: 200 } });
    expect(json.viewer).toMatchObject({ page_size: 50, walk: { events: 200, pages: 1 } });
    for (const page of (json.viewer as { pages: Array<{ name: string; events: number; median_ms: number }> }).pages) {
      expect(page.events, page.name).toBeGreaterThan(0);
      expect(Number.isFinite(page.median_ms), page.name).toBe(true);
    }
    expect(text).toMatch(/^export csv .*\n^export ndjson .*\n^verify csv .*\n^verify ndjson /m);
    // Nothing is left behind without --keep.
    await expect(stat(workDir)).rejects.toThrow(/ENOENT/);
  });
});
