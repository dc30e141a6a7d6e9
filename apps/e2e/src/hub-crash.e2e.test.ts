/**
 * The hub killed (SIGKILL, no clean shutdown) in the middle of a training round, with part of the
 * round's encrypted updates accepted, then started again on the same data and port a few seconds
 * later. The agents keep retrying meanwhile (their uploads wait in their outboxes) and the study
 * carries on: nothing the hub acknowledged before the crash is lost or counted twice (checked in
 * its tables and audit log against each site's transfer log), the interrupted round completes
 * with every site, and the audit chain still verifies.
 *
 * Real processes over real HTTP: `consilium-hub serve` and three `consilium-agent run`, on PGlite
 * and, with DATABASE_URL, on a scratch PostgreSQL database.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultConsortium } from './support/fault-consortium.ts';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, thresholdOf, TRAINING_ROUNDS } from './support/fault-study.ts';
import { holdRoundCollecting, RETRY_LOG_LINE, watchForRetry } from './support/hold-round.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { readHubUploads } from './support/hub-records.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

/** How long the hub stays dead: long enough for every agent to find it gone and back off. */
const HUB_DOWN_MS = 3_000;

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`hub killed mid-round and restarted (${target.kind})`, () => {
    let consortium: FaultConsortium | undefined;
    afterEach(async () => {
      await consortium?.close();
      consortium = undefined;
    });

    it('carries on where it was: the interrupted round completes with every submission counted once', async () => {
      const started = performance.now();
      const timings: Record<string, number> = {};
      const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

      consortium = new FaultConsortium({ label: `hub-crash-${target.kind}`, target, spec: faultStudySpec() });
      await consortium.start();
      mark('enrolled');
      const urlBefore = consortium.hub.url;

      // Accepted updates of a round still collecting: the hub dies holding a partial aggregate. Rounds
      // take a fraction of a second, so one site is held back (frozen) as a training round opens: the
      // round then waits for it, collecting, for as long as the test needs. It is let go while the
      // hub is down, and finds the hub gone like the others.
      const before = await holdRoundCollecting(consortium);
      await consortium.killHub();
      mark('hub killed');
      for (const site of consortium.sites) expect(site.agent?.hasExited(), `the agent of ${site.name} is still running`).toBe(false);
      const retried = watchForRetry(before.held);
      consortium.thawAgent(before.held);

      await sleep(HUB_DOWN_MS);
      await retried.wait();
      const restarted = await consortium.startHub();
      mark('hub restarted');
      expect(restarted.url).toBe(urlBefore);

      const { progress, agentExitCodes } = await consortium.finish(150_000);
      mark('finished');
      console.info(
        `[e2e] hub crash (${target.kind}): killed in round ${before.round.index} with ${before.round.submitted.length} of ${before.round.participants.length} ` +
          `submissions accepted; timings (ms since start) ${JSON.stringify(timings)}`,
      );

      expect(problemsOfFinishedStudy(progress)).toEqual([]);
      // No round failed or was repeated: the crash cost time, not work.
      expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
        [0, 'stats', 'complete'],
        ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
      ]);

      // The interrupted round kept what it had accepted and completed with every participant's
      // update, decrypted by t committee members (every site is on the committee).
      const interrupted = progress.rounds.find((r) => r.id === before.round.id)!;
      expect(interrupted.status).toBe('complete');
      expect(interrupted.submitted).toEqual(expect.arrayContaining(before.round.submitted));
      expect(sorted(interrupted.submitted)).toEqual(sorted(interrupted.participants));
      expect(interrupted.decrypted).toHaveLength(thresholdOf(progress));
      expect(interrupted.participants).toEqual(expect.arrayContaining(interrupted.decrypted));
      // Models published before the crash are the same models afterwards.
      const modelsBefore = before.progress.models.map((m) => [m.id, m.version, m.parametersHash]);
      expect(progress.models.slice(0, modelsBefore.length).map((m) => [m.id, m.version, m.parametersHash])).toEqual(modelsBefore);

      expect(await consortium.client.audit.verify.query()).toMatchObject({ ok: true, firstBreak: null });
      // Every agent found the hub gone, retried, and finished by itself.
      for (const site of consortium.sites) {
        expect(await readFile(site.logFile, 'utf8'), `${site.name} retried while the hub was down`).toContain(RETRY_LOG_LINE);
      }
      expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

      // Uploads cut off by the crash were re-sent from the outboxes: each counted exactly once,
      // in the hub's tables and its audit log, with the hashes the sites logged.
      await consortium.stopHub();
      const records = await consortium.database!.read((db) => readHubUploads(db, progress.rounds.map((r) => r.id)));
      for (const round of progress.rounds) expect(records.decryptorSets[round.id], `decryptor sets of round ${round.index}`).toHaveLength(1);
      const resent: string[] = [];
      for (const site of consortium.sites) {
        const transfers = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId);
        expect(problemsOfSiteUploads(progress.rounds, siteIdOf(progress, site.name), records, transfers), site.name).toEqual([]);
        resent.push(...transfers.filter((t) => t.duplicate === true).map((t) => `${site.name}: ${t.kind}`));
      }
      console.info(`[e2e] hub crash (${target.kind}): re-sent uploads the hub already had: [${resent.join('; ')}]`);
    }, 240_000);
  });
}

