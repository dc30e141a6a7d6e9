/**
 * A site's agent killed (SIGKILL) twice in the middle of its work and started again each time on
 * the same directory, with no enrolment token (it is already enrolled):
 *   - in training round 2, while it trains (its update for the round is lost and must be redone);
 *   - in training round 3, right after encrypting its update, when the upload is in its outbox or
 *     on the wire (the restarted agent re-sends the stored bytes; the hub may already have them).
 * A round waits for every participant's update until its deadline, so it cannot close before the
 * site is back unless the hub already has the site's update; decryption needs only t = 2 of the 3
 * committee members, so once sealed it may complete without the site if the site is not one of the
 * two the hub chose. Either way the study completes with no round failed or repeated, the site
 * decrypts nothing while dead, and each of its uploads reached the hub exactly once per round
 * (stored once, accepted once in the audit log; a partial decryption only where the site was a
 * chosen decryptor) while its own transfers.ndjson lists them with the hashes the hub counted:
 * a re-send after the restart is the same bytes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultConsortium, type FaultSite } from './support/fault-consortium.ts';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, thresholdOf, TRAINING_ROUNDS } from './support/fault-study.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { readHubUploads } from './support/hub-records.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

/** How long the site is gone each time: the other sites submit meanwhile and the round waits. */
const AGENT_DOWN_MS = 2_000;

/** The kills: in which training round, and on which line of the agent's own log. */
const KILLS = [
  { round: 2, moment: 'while training', match: (line: string) => line.includes('"task":"round 2: training"') },
  { round: 3, moment: 'after encrypting its update', match: (line: string) => line.includes('"task":"round 3: encrypting"') && line.includes('"msg":"done"') },
] as const;

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`agent killed mid-round and restarted (${target.kind})`, () => {
    let consortium: FaultConsortium | undefined;
    afterEach(async () => {
      await consortium?.close();
      consortium = undefined;
    });

    it('picks up where it left off; its uploads reach the hub exactly once per round, as its transfer log says', async () => {
      const started = performance.now();
      const timings: Record<string, number> = {};
      const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

      consortium = new FaultConsortium({ label: `agent-crash-${target.kind}`, target, spec: faultStudySpec() });
      await consortium.start();
      mark('enrolled');
      const victim = consortium.sites[1]!;
      const victimId = siteIdOf(await consortium.progress(), victim.name);
      const happened: string[] = [];

      for (const kill of KILLS) {
        await consortium.waitForAgentLog(victim, `round ${kill.round} ${kill.moment}`, kill.match, 90_000);
        await consortium.killAgent(victim);
        mark(`killed in round ${kill.round}`);
        happened.push(`round ${kill.round} ${kill.moment}: last logged ${await lastLogged(victim)}, outbox [${await outboxOf(victim, consortium.studyId)}]`);

        await sleep(AGENT_DOWN_MS);
        // Without the site's update the round cannot close (it waits for every participant until its
        // 10-minute deadline); with it, the round may be decrypted meanwhile by the other two members.
        const during = (await consortium.progress()).rounds.find((r) => r.index === kill.round)!;
        if (!during.submitted.includes(victimId)) expect(['open', 'collecting'], `round ${kill.round} while ${victim.name} is down, its update missing`).toContain(during.status);
        expect(during.decrypted, `round ${kill.round} while ${victim.name} is down`).not.toContain(victimId);
        happened.push(`while down: round ${kill.round} ${during.status}, update ${during.submitted.includes(victimId) ? 'in' : 'missing'}, decrypted by ${during.decrypted.length}`);
        await consortium.startAgent(victim);
      }

      const { progress, agentExitCodes } = await consortium.finish(150_000);
      mark('finished');
      const transfers = (await readTransferLines(victim.dir)).filter((t) => t.studyId === consortium!.studyId);
      const resent = transfers.filter((t) => t.duplicate === true).map((t) => t.kind);
      console.info(
        `[e2e] agent crash (${target.kind}): ${happened.join('; ')}; re-sent uploads the hub already had: [${resent.join(', ')}]; ` +
          `timings (ms since start) ${JSON.stringify(timings)}`,
      );

      expect(problemsOfFinishedStudy(progress)).toEqual([]);
      expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
        [0, 'stats', 'complete'],
        ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
      ]);
      for (const round of progress.rounds) {
        expect(round.submitted, `round ${round.index}`).toContain(victimId);
        expect(round.decrypted, `round ${round.index}`).toHaveLength(thresholdOf(progress));
      }
      expect(await consortium.client.audit.verify.query()).toMatchObject({ ok: true, firstBreak: null });
      expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

      // What the hub counted, from its own tables and audit log (PGlite: only once it has stopped).
      await consortium.stopHub();
      const hub = await consortium.database!.read((db) => readHubUploads(db, progress.rounds.map((r) => r.id)));
      // One decryptor set per round: no attempt timed out waiting for the killed site.
      for (const round of progress.rounds) expect(hub.decryptorSets[round.id], `decryptor sets of round ${round.index}`).toHaveLength(1);
      expect(problemsOfSiteUploads(progress.rounds, victimId, hub, transfers)).toEqual([]);
      for (const site of consortium.sites.filter((s) => s !== victim)) {
        const theirs = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId);
        expect(problemsOfSiteUploads(progress.rounds, siteIdOf(progress, site.name), hub, theirs), site.name).toEqual([]);
      }
      // The key ceremony (before the kills) sent each of its three uploads once.
      for (const kind of ['keyshare', 'dealing', 'key-confirmation']) expect(transfers.filter((t) => t.kind === kind), kind).toHaveLength(1);
      // Re-sends after a restart are byte-identical: one payload hash per round upload.
      for (const round of progress.rounds) {
        for (const kind of ['submission', 'decryption-share']) {
          const hashes = new Set(transfers.filter((t) => t.kind === kind && t.roundId === round.id).map((t) => t.sha256));
          expect(hashes.size, `round ${round.index} ${kind}`).toBeLessThanOrEqual(1);
        }
      }
    }, 240_000);
  });
}

/** The message (and task) of the last line of a site's agent.log, to report where a kill struck. */
async function lastLogged(site: FaultSite): Promise<string> {
  const lines = (await readFile(path.join(site.dir, 'agent.log'), 'utf8')).trim().split('\n');
  const last = JSON.parse(lines.at(-1) ?? '{}') as { msg?: string; task?: string; kind?: string };
  return [last.msg, last.task ?? last.kind].filter(Boolean).join(' ');
}

/** The uploads waiting in a site's outbox for a study. */
async function outboxOf(site: FaultSite, studyId: string): Promise<string> {
  const names = await readdir(path.join(site.dir, 'studies', studyId, 'outbox')).catch(() => []);
  return names.join(', ');
}
