import type { HubClient } from '@consilium/api/client';
import { describe, expect, it } from 'vitest';
import { metrics, model, progress, round, SITE_A, SITE_B } from '../../test/progress-fixture.ts';
import type { StudyProgress } from './study-progress.ts';
import { watchStudy } from './watch-study.ts';

/** A hub client whose progress answers come from a script (an Error entry is thrown). */
function scriptedClient(answers: Array<StudyProgress | Error>): HubClient & { calls: number } {
  const client = {
    calls: 0,
    studies: {
      progress: {
        query: async () => {
          const answer = answers[Math.min(client.calls, answers.length - 1)]!;
          client.calls++;
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
    },
  };
  return client as unknown as HubClient & { calls: number };
}

const both = [SITE_A, SITE_B].map((site) => ({ site, metrics: metrics(40, 0.75, 0.5, 0.8) }));

describe('watchStudy', () => {
  it('reports every read and resolves once the final model is evaluated by every site', async () => {
    const running = progress({ rounds: [round(0), round(1, { completedS: null })] });
    const completedUnevaluated = progress({ status: 'completed', rounds: [round(0), round(1)], models: [model(1, [])] });
    const done = { ...completedUnevaluated, models: [model(1, both)] };
    const client = scriptedClient([running, new Error('socket hang up'), completedUnevaluated, done]);
    const seen: string[] = [];
    const final = await watchStudy(client, 'study-1', { pollMs: 1, onUpdate: (p) => seen.push(p.status) });
    expect(final).toBe(done);
    expect(seen).toEqual(['running', 'completed', 'completed']);
  });

  it('resolves with a failed study (its reason is in the progress)', async () => {
    const failed = progress({ status: 'failed', failureReason: 'round 1 missed its deadline' });
    await expect(watchStudy(scriptedClient([failed]), 'study-1', { pollMs: 1 })).resolves.toBe(failed);
  });

  it('times out with where the study stood', async () => {
    const stuck = progress({ rounds: [round(0, { completedS: null, submitted: [SITE_A.siteId] })] });
    await expect(watchStudy(scriptedClient([stuck]), 'study-1', { pollMs: 5, timeoutMs: 30 })).rejects.toThrow(
      `Study study-1 did not finish within 0 s (study running; 0/2 training rounds done; round 0 (stats) collecting, waiting for ${SITE_B.name})`,
    );
  });

  it('gives up when the hub keeps failing, with its error', async () => {
    await expect(watchStudy(scriptedClient([new Error('ECONNREFUSED')]), 'study-1', { pollMs: 1, maxConsecutiveErrors: 3 })).rejects.toThrow(
      /stopped answering about study study-1 \(3 failed reads\): ECONNREFUSED/,
    );
  });

  it('stops when aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const watching = watchStudy(scriptedClient([progress()]), 'study-1', { pollMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('agent died')), 20);
    await expect(watching).rejects.toThrow('agent died');
  });
});
