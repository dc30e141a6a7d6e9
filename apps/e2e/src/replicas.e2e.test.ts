/**
 * The hub is stateless: three hub processes on one PostgreSQL database serve one study, each site's
 * agent talking to a different replica, their submissions arriving concurrently through different
 * processes. One replica is killed (SIGKILL) while a training round is collecting — updates accepted
 * through the other replicas, its own agent's update still to come — and started again on its port a
 * few seconds later: the agent (which knows one hub URL; apps/agent has no list of hubs to fail over
 * to) retries until its replica is back, as it would behind a load balancer. The study finishes;
 * nothing is lost or counted twice (the hub's tables, its audit log and each site's transfer log
 * agree), and the audit chain verifies through every replica.
 *
 * Real processes over real HTTP; needs DATABASE_URL (a scratch database, dropped afterwards).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, TRAINING_ROUNDS } from './support/fault-study.ts';
import { holdRoundCollecting, RETRY_LOG_LINE, watchForRetry } from './support/hold-round.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { readHubUploads } from './support/hub-records.ts';
import { ReplicaConsortium } from './support/replica-consortium.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

const REPLICAS = 3;
/** The replica killed (index): the one the second site's agent talks to. */
const VICTIM = 1;
const REPLICA_DOWN_MS = 3_000;

const target = hubDatabaseTargets().find((t) => t.kind === 'postgres')!;

describe.skipIf(target.skipReason !== null)(`three hub replicas on one PostgreSQL database${target.skipReason ? ` (${target.skipReason})` : ''}`, () => {
  let consortium: ReplicaConsortium | undefined;
  afterEach(async () => {
    await consortium?.close();
    consortium = undefined;
  });

  it('serve one study together; a replica killed mid-round comes back, and every update is counted exactly once', async () => {
    const started = performance.now();
    const timings: Record<string, number> = {};
    const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

    consortium = new ReplicaConsortium({ label: 'replicas', target, spec: faultStudySpec(), replicas: REPLICAS, sites: 3 });
    await consortium.start();
    mark('enrolled');
    expect(new Set(consortium.sites.map((s) => s.replica)).size).toBe(REPLICAS);

    // The victim replica's agent is held back in a training round until the other updates are in
    // (accepted through the other replicas), then the replica dies and the agent is let go.
    const victimSites = consortium.sites.filter((s) => s.replica === VICTIM);
    const before = await holdRoundCollecting(consortium, () => victimSites);
    const portBefore = consortium.hub(VICTIM).url;
    await consortium.killReplica(VICTIM);
    mark('replica killed');
    const retried = watchForRetry(before.held);
    consortium.thawAgent(before.held);
    // The other replicas carry on meanwhile: the study is readable through them.
    expect((await consortium.client(0).studies.progress.query({ studyId: consortium.studyId })).rounds.find((r) => r.id === before.round.id)?.status).toBe('collecting');
    await sleep(REPLICA_DOWN_MS);
    await retried.wait();
    const restarted = await consortium.startReplica(VICTIM);
    expect(restarted.url).toBe(portBefore);
    mark('replica restarted');

    const { progress, agentExitCodes } = await consortium.finish(150_000);
    mark('finished');
    console.info(
      `[e2e] replicas: killed replica ${VICTIM + 1} in round ${before.round.index} with ${before.round.submitted.length} of ${before.round.participants.length} ` +
        `submissions accepted; timings (ms since start) ${JSON.stringify(timings)}`,
    );

    expect(problemsOfFinishedStudy(progress)).toEqual([]);
    expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
      [0, 'stats', 'complete'],
      ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
    ]);
    const interrupted = progress.rounds.find((r) => r.id === before.round.id)!;
    expect(interrupted.submitted).toEqual(expect.arrayContaining(before.round.submitted));
    expect(sorted(interrupted.submitted)).toEqual(sorted(interrupted.participants));
    expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));
    expect(await readFile(before.held.logFile, 'utf8'), `${before.held.name} retried while its replica was down`).toContain(RETRY_LOG_LINE);

    // Every replica answers the same: the audit chain verifies through each of them.
    for (let i = 0; i < REPLICAS; i++) expect(await consortium.client(i).audit.verify.query(), `audit chain through replica ${i + 1}`).toMatchObject({ ok: true, firstBreak: null });

    // Submissions did go through different processes: each replica accepted updates.
    for (let i = 0; i < REPLICAS; i++) {
      const log = await readFile(consortium.hub(i).logFile, 'utf8');
      expect(log, `replica ${i + 1} accepted updates`).toMatch(/"path":"\/trpc\/agent\.submitUpdate[^"]*","status":200/);
    }

    // The hub's tables, its audit log and the sites' transfer logs agree: each update counted once.
    const records = await consortium.database!.read((db) => readHubUploads(db, progress.rounds.map((r) => r.id)));
    for (const round of progress.rounds) expect(records.decryptorSets[round.id], `decryptor sets of round ${round.index}`).toHaveLength(1);
    for (const site of consortium.sites) {
      const transfers = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId);
      expect(problemsOfSiteUploads(progress.rounds, siteIdOf(progress, site.name), records, transfers), site.name).toEqual([]);
    }
  }, 240_000);
});
