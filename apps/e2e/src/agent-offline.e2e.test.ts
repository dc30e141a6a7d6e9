/**
 * A site off the network for longer than a round's deadline. Its agent is frozen (SIGSTOP: it
 * neither computes nor answers, as if its link were cut) while it trains round 2, so its update
 * never arrives. With `minSitesPerRound: 2` the round closes at its deadline with the other two
 * sites' updates. The key is a threshold key (2-of-3: every site on the committee, majority
 * threshold), so the round does not need the absent site: the hub asks the two members that are
 * online and submitted (choose-decryptors.ts), they decrypt, and the round completes with a model
 * from two sites — no round fails, none is repeated. The site comes back (SIGCONT): its late update
 * for round 2 is refused (nothing is counted), it takes part in the following rounds, and the study
 * completes with every planned model; the audit chain verifies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultConsortium } from './support/fault-consortium.ts';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, thresholdOf, TRAINING_ROUNDS } from './support/fault-study.ts';
import { readHubUploads, readRoundAudit } from './support/hub-records.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

// Every round and the key ceremony have this deadline, and the thawed site must then train, encrypt
// and upload the next round within it while other workspaces' tests share the CPU: not too tight.
const ROUND_DEADLINE_S = 15;
const DECRYPTION_DEADLINE_S = 15;
/** The round the site misses (training round 2, after the statistics round 0 and round 1). */
const MISSED_ROUND = 2;

/** The round's audit events that tell its story (model and privacy-budget events left aside). */
const ROUND_STORY = new Set([
  'round.opened',
  'round.submission_accepted',
  'round.aggregation_closed',
  'round.decryptors_chosen',
  'round.decryption_share_accepted',
  'round.decryption_refused',
  'round.failed',
  'round.completed',
]);

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`agent offline across a round deadline (${target.kind})`, () => {
    let consortium: FaultConsortium | undefined;
    afterEach(async () => {
      await consortium?.close();
      consortium = undefined;
    });

    it('completes the round it misses without it, decrypted by t of the other members, and takes it back afterwards', async () => {
      const started = performance.now();
      const timings: Record<string, number> = {};
      const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

      const spec = faultStudySpec({
        minSitesPerRound: 2,
        roundDeadlineSeconds: ROUND_DEADLINE_S,
        decryptionDeadlineSeconds: DECRYPTION_DEADLINE_S,
        // The key ceremony's deadline is the round deadline: start once every agent runs (see FaultConsortium.start).
        autoStart: false,
      });
      consortium = new FaultConsortium({ label: `agent-offline-${target.kind}`, target, spec });
      await consortium.start();
      mark('started');
      const victim = consortium.sites[2]!;
      const others = consortium.sites.filter((s) => s !== victim).map((s) => s.name);

      // Cut the site off while it trains round 2: its update for the round never leaves it.
      await consortium.waitForAgentLog(victim, `round ${MISSED_ROUND} training`, (line) => line.includes(`"task":"round ${MISSED_ROUND}: training"`), 90_000);
      consortium.freezeAgent(victim);
      const frozenAt = performance.now();
      mark('site cut off');
      const victimId = siteIdOf(await consortium.progress(), victim.name);
      const atFreeze = (await consortium.progress()).rounds.find((r) => r.index === MISSED_ROUND);
      expect(atFreeze?.submitted ?? [], `${victim.name} was frozen before its round ${MISSED_ROUND} update reached the hub`).not.toContain(victimId);

      const done = await consortium.waitFor(`round ${MISSED_ROUND} to end`, (p) => p.rounds.find((r) => r.index === MISSED_ROUND && (r.status === 'complete' || r.status === 'failed')), {
        timeoutMs: (ROUND_DEADLINE_S + DECRYPTION_DEADLINE_S + 20) * 1000,
        pollMs: 200,
      });
      // Back on the network once the hub is done with the round.
      consortium.thawAgent(victim);
      const offlineMs = performance.now() - frozenAt;
      mark('site back');

      const { progress, agentExitCodes } = await consortium.finish(150_000);
      mark('finished');
      console.info(
        `[e2e] agent offline (${target.kind}): ${victim.name} off for ${Math.round(offlineMs)} ms; round ${done.index} ${done.status} with ${done.submitted.length} submissions ` +
          `and ${done.decrypted.length} partial decryptions${done.failureReason ? `: ${done.failureReason}` : ''}; timings (ms since start) ${JSON.stringify(timings)}`,
      );
      expect(offlineMs).toBeGreaterThan(ROUND_DEADLINE_S * 1000);

      expect(problemsOfFinishedStudy(progress)).toEqual([]);
      // No round failed or was repeated: the absent site cost the round its deadline, not the round.
      expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
        [0, 'stats', 'complete'],
        ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
      ]);
      const nameOf = (id: string) => progress.sites.find((s) => s.siteId === id)!.name;
      const missed = progress.rounds.find((r) => r.index === MISSED_ROUND)!;
      expect(thresholdOf(progress)).toBe(2);
      expect(sorted(missed.submitted.map(nameOf))).toEqual(sorted(others));
      // Decrypted by exactly t members, the two that were online and had submitted.
      expect(sorted(missed.decrypted.map(nameOf))).toEqual(sorted(others));
      expect(progress.models.filter((m) => m.roundId === missed.id)).toHaveLength(1);
      for (const round of progress.rounds.filter((r) => r.index > MISSED_ROUND)) expect(round.submitted, `round ${round.index}`).toContain(victimId);

      expect(await consortium.client.audit.verify.query()).toMatchObject({ ok: true, firstBreak: null });
      expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

      // The hub's own account of the round: opened for all three, closed at its deadline with the
      // other two updates, those two asked to decrypt (attempt 1), their two shares, completed.
      await consortium.stopHub();
      const [trail, hub] = await consortium.database!.read(async (db) => [await readRoundAudit(db, missed.id), await readHubUploads(db, progress.rounds.map((r) => r.id))] as const);
      expect(trail.filter((e) => ROUND_STORY.has(e.action)).map((e) => e.action)).toEqual([
        'round.opened',
        'round.submission_accepted',
        'round.submission_accepted',
        'round.aggregation_closed',
        'round.decryptors_chosen',
        'round.decryption_share_accepted',
        'round.decryption_share_accepted',
        'round.completed',
      ]);
      expect(trail.find((e) => e.action === 'round.aggregation_closed')?.payload).toMatchObject({ reason: 'deadline reached with 2 of 3 submissions' });
      const chosen = trail.find((e) => e.action === 'round.decryptors_chosen')!.payload as { attempt: number; decryptors: string[] };
      expect(chosen.attempt).toBe(1);
      expect(sorted(chosen.decryptors.map(nameOf))).toEqual(sorted(others));

      // Every site's uploads were counted once; the absent site's late update for the missed round
      // (if its agent got as far as sending it) was refused and is nowhere on the hub.
      for (const site of consortium.sites) {
        const siteId = siteIdOf(progress, site.name);
        const transfers = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId);
        const rounds = site === victim ? progress.rounds.filter((r) => r.index !== MISSED_ROUND) : progress.rounds;
        expect(problemsOfSiteUploads(rounds, siteId, hub, transfers), site.name).toEqual([]);
      }
      const late = (await readTransferLines(victim.dir)).filter((t) => t.roundId === missed.id);
      for (const line of late) expect(line, `${victim.name}'s late ${line.kind} for round ${MISSED_ROUND}`).toMatchObject({ kind: 'submission', accepted: false });
      expect(hub.stored.filter((r) => r.roundId === missed.id && r.siteId === victimId)).toEqual([]);
      console.info(`[e2e] agent offline (${target.kind}): ${victim.name}'s late round ${MISSED_ROUND} upload: ${late.map((t) => t.error ?? 'accepted').join('; ') || 'never sent'}`);
    }, 240_000);
  });
}
