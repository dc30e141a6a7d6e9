import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contribution } from './contribution/index.ts';

describe('contribution benchmark', () => {
  it('runs six real agents through an encrypted study and meets every target: cheats caught and paid least, rare data and reliability rewarded', { timeout: 600_000 }, async () => {
    // Execute
    const workDir = await mkdtemp(path.join(tmpdir(), 'consilium-bench-contribution-'));
    const { json, text } = await contribution({ flags: { rounds: '5', 'deadline-s': '25' }, workDir, databaseUrl: undefined, log: () => undefined });

    // Assert
    const targets = json.targets as Record<string, boolean>;
    expect(Object.keys(targets)).toHaveLength(6);
    for (const [name, met] of Object.entries(targets)) expect(met, name).toBe(true);
    const sites = json.sites as Array<{ site: string; flags: number; slashed_credits: number; share: number }>;
    const site = (name: string) => sites.find((s) => s.site === name)!;
    // Honest sites are never flagged and keep their whole stake.
    for (const honest of ['large', 'rare', 'unreliable']) expect(site(honest)).toMatchObject({ flags: 0, slashed_credits: 0 });
    expect(site('inflater').slashed_credits).toBeGreaterThan(0);
    expect(site('flipper').slashed_credits).toBeGreaterThan(0);
    expect(sites.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 9);
    expect(text).toMatch(/^inflater .* 0\.000000%$/m);
  });
});
