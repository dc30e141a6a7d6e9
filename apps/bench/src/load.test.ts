import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnv } from './env.ts';
import { load } from './load/index.ts';

const databaseUrl = readEnv().DATABASE_URL;

describe.skipIf(!databaseUrl)(`load benchmark on PostgreSQL${databaseUrl ? '' : ' (skipped: set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test, to run it)'}`, () => {
  for (const replicas of [1, 3]) {
    it(`${replicas} hub replica(s): every agent's update in every round, no request error, each accepted submission counted exactly once`, { timeout: 300_000 }, async () => {
      // Execute
      const workDir = await mkdtemp(path.join(tmpdir(), 'consilium-bench-load-'));
      const { json, text } = await load({
        flags: { agents: '12', params: '2000', replicas: String(replicas), rounds: '2', 'wait-ms': '5000' },
        workDir,
        databaseUrl,
        log: () => undefined,
      });

      // Assert
      expect(json).toMatchObject({
        agents: 12,
        replicas,
        scheme: 'ckks-multiparty',
        study_completed: true,
        all_rounds_completed_with_all_agents: true,
        every_accepted_submission_counted_once: true,
        request_errors: 0,
        audit_chain: { ok: true },
      });
      const rounds = json.rounds as Array<{ kind: string; submitted: number; counted_once: Record<string, number | boolean>; latency_ms: Record<string, number> }>;
      expect(rounds.map((r) => r.kind)).toEqual(['stats', 'train', 'train']);
      for (const round of rounds) {
        // The agents' receipts, the hub's submission rows, its audit log and its progress agree: 12 each.
        expect(round.counted_once).toEqual({ receipts: 12, submissions_rows: 12, audit_accepted: 12, hub_submitted: 12, ok: true });
        expect(round.latency_ms.n).toBe(12);
      }
      const hubs = json.hubs as Array<{ agents: number; peak_rss_bytes: number; cpu_s: number }>;
      expect(hubs).toHaveLength(replicas);
      for (const hub of hubs) {
        expect(hub.agents).toBe(12 / replicas);
        expect(hub.peak_rss_bytes).toBeGreaterThan(0);
        expect(hub.cpu_s).toBeGreaterThan(0);
      }
      expect(text).toMatch(/^2 train +12\/12 /m);
    });
  }
});

describe.skipIf(databaseUrl)('load benchmark without PostgreSQL', () => {
  it('refuses to run without PostgreSQL', async () => {
    await expect(load({ flags: {}, workDir: '/nonexistent', databaseUrl: undefined, log: () => undefined })).rejects.toThrow(/DATABASE_URL/);
  });
});
