/**
 * PostgreSQL restarted in the middle of a training round. The test runs its own PostgreSQL server
 * (initdb into a temporary directory, a free port): the machine's shared server, which other tests
 * use at the same time, is never touched. With part of a round's encrypted updates accepted, the
 * server is stopped (pg_ctl stop -m fast: every connection cut), stays down a few seconds and is
 * started again. Meanwhile the hub keeps running and says it is not ready (/readyz 503), and the
 * agents retry; afterwards it is ready again, the round completes with every site, the study
 * finishes, nothing accepted is lost or counted twice, and the audit chain verifies.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultConsortium } from './support/fault-consortium.ts';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, TRAINING_ROUNDS } from './support/fault-study.ts';
import { holdRoundCollecting, RETRY_LOG_LINE, watchForRetry } from './support/hold-round.ts';
import { postgresTarget } from './support/hub-databases.ts';
import { readHubUploads } from './support/hub-records.ts';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

/** How long PostgreSQL stays down. */
const DOWN_MS = 4_000;
const binDir = postgresBinDir();

/** Polls the hub's /readyz until it answers `status` (200 or 503); resolves with how long that took. */
async function waitForReadiness(hubUrl: string, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answered = await fetch(new URL('/readyz', hubUrl), { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      () => null,
    );
    if (answered === status) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms (last: ${answered})`);
    await sleep(100);
  }
}

describe.skipIf(binDir === null)(`PostgreSQL restarted mid-round${binDir === null ? ' (skipped: no /usr/lib/postgresql/*/bin/initdb on this machine)' : ''}`, () => {
  let postgres: PrivatePostgres | undefined;
  let consortium: FaultConsortium | undefined;
  beforeAll(async () => {
    postgres = await startPrivatePostgres(binDir!);
  });
  afterAll(async () => {
    try {
      await consortium?.close();
    } finally {
      await postgres?.destroy();
    }
  });

  it('the hub goes unready and back, the agents retry, and the round completes with every update counted once', async () => {
    const started = performance.now();
    const timings: Record<string, number> = {};
    const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

    consortium = new FaultConsortium({ label: 'postgres-restart', target: postgresTarget(postgres!.url), spec: faultStudySpec() });
    await consortium.start();
    mark('enrolled');
    const hubUrl = consortium.hub.url;
    expect(await waitForReadiness(hubUrl, 200, 5_000)).toBeLessThan(5_000);

    const before = await holdRoundCollecting(consortium);
    await postgres!.stop();
    mark('postgres stopped');
    const unreadyAfterMs = await waitForReadiness(hubUrl, 503, 10_000);
    // Let the held agent go: its update meets a hub without its database.
    const retried = watchForRetry(before.held);
    consortium.thawAgent(before.held);
    await sleep(DOWN_MS);
    await retried.wait();
    expect(consortium.hub.hasExited(), 'the hub survived its database going away').toBe(false);
    expect(await fetch(new URL('/readyz', hubUrl)).then((r) => r.status)).toBe(503);
    await postgres!.start();
    mark('postgres started');
    const readyAfterMs = await waitForReadiness(hubUrl, 200, 30_000);
    mark('hub ready');

    const { progress, agentExitCodes } = await consortium.finish(150_000);
    mark('finished');
    console.info(
      `[e2e] postgres restart: stopped in round ${before.round.index} with ${before.round.submitted.length} of ${before.round.participants.length} submissions accepted; ` +
        `/readyz 503 after ${unreadyAfterMs} ms, 200 again ${readyAfterMs} ms after the restart; timings (ms since start) ${JSON.stringify(timings)}`,
    );

    expect(problemsOfFinishedStudy(progress)).toEqual([]);
    expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
      [0, 'stats', 'complete'],
      ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
    ]);
    const interrupted = progress.rounds.find((r) => r.id === before.round.id)!;
    expect(interrupted.submitted).toEqual(expect.arrayContaining(before.round.submitted));
    expect(sorted(interrupted.submitted)).toEqual(sorted(interrupted.participants));
    expect(await consortium.client.audit.verify.query()).toMatchObject({ ok: true, firstBreak: null });
    expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));
    // The held agent met the hub without its database, and retried.
    expect(await readFile(before.held.logFile, 'utf8'), `${before.held.name} retried while PostgreSQL was down`).toContain(RETRY_LOG_LINE);

    const records = await consortium.database!.read((db) => readHubUploads(db, progress.rounds.map((r) => r.id)));
    for (const site of consortium.sites) {
      const transfers = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId);
      expect(problemsOfSiteUploads(progress.rounds, siteIdOf(progress, site.name), records, transfers), site.name).toEqual([]);
    }
  }, 240_000);
});
