/**
 * A site off the network for longer than a round's deadline. Its agent is frozen (SIGSTOP: it
 * neither computes nor answers, as if its link were cut) just after it has helped finish training
 * round 1, so round 2 opens without it. With `minSitesPerRound: 2` the round closes at its
 * deadline with the other two sites' updates; but the aggregate is encrypted under an n-of-n key,
 * so it cannot be decrypted without the absent site's share: at the decryption deadline the round
 * fails, saying whose share is missing (packages/domain/src/rounds/advance-deadlines.ts), and the
 * hub opens a retry round from the same model (fail-round.ts). The site comes back (SIGCONT), takes
 * part in the retry, and the study completes with every planned model; the audit chain verifies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultConsortium } from './support/fault-consortium.ts';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, TRAINING_ROUNDS } from './support/fault-study.ts';
import { readRoundAudit } from './support/hub-records.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';

const ROUND_DEADLINE_S = 8;
const DECRYPTION_DEADLINE_S = 5;
/** The round the site misses (training round 2, after the statistics round 0 and round 1). */
const MISSED_ROUND = 2;

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`agent offline across a round deadline (${target.kind})`, () => {
    let consortium: FaultConsortium | undefined;
    afterEach(async () => {
      await consortium?.close();
      consortium = undefined;
    });

    it('fails the round it cannot decrypt, naming the absent key holder, and completes once the site is back', async () => {
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

      // Cut the site off right after its partial decryption of round 1: round 2 opens without it.
      const round1 = await consortium.waitFor('training round 1 to open', (p) => p.rounds.find((r) => r.index === MISSED_ROUND - 1), { timeoutMs: 90_000 });
      await consortium.waitForAgentLog(
        victim,
        `its partial decryption of round ${round1.index} accepted`,
        (line) => line.includes('"msg":"upload accepted"') && line.includes('"kind":"decryption-share"') && line.includes(round1.id),
      );
      consortium.freezeAgent(victim);
      const frozenAt = performance.now();
      mark('site cut off');

      const failed = await consortium.waitFor(`round ${MISSED_ROUND} to fail`, (p) => p.rounds.find((r) => r.index === MISSED_ROUND && r.status === 'failed'), {
        timeoutMs: (ROUND_DEADLINE_S + DECRYPTION_DEADLINE_S + 20) * 1000,
        pollMs: 200,
      });
      // Back on the network once the hub has given up on the round.
      consortium.thawAgent(victim);
      const offlineMs = performance.now() - frozenAt;
      mark('site back');

      const { progress, agentExitCodes } = await consortium.finish(150_000);
      mark('finished');
      console.info(
        `[e2e] agent offline (${target.kind}): ${victim.name} off for ${Math.round(offlineMs)} ms; round ${failed.index} had ${failed.submitted.length} submissions ` +
          `and failed: ${failed.failureReason}; timings (ms since start) ${JSON.stringify(timings)}`,
      );
      expect(offlineMs).toBeGreaterThan(ROUND_DEADLINE_S * 1000);

      expect(problemsOfFinishedStudy(progress)).toEqual([]);
      // One round failed and was retried as the next index; the retry and the rest completed.
      expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
        [0, 'stats', 'complete'],
        [1, 'train', 'complete'],
        [2, 'train', 'failed'],
        ...Array.from({ length: TRAINING_ROUNDS - 1 }, (_, i) => [i + 3, 'train', 'complete']),
      ]);
      const victimId = siteIdOf(progress, victim.name);
      const missed = progress.rounds.find((r) => r.index === MISSED_ROUND)!;
      expect(missed.failureReason).toBe(`partial decryptions missing from ${victim.name} at the deadline (every key holder is needed)`);
      expect(missed.submitted).toHaveLength(2);
      expect(missed.submitted).not.toContain(victimId);
      expect(sorted(missed.decrypted.map((id) => progress.sites.find((s) => s.siteId === id)!.name))).toEqual(sorted(others));
      expect(progress.models.some((m) => m.roundId === missed.id)).toBe(false);
      const retry = progress.rounds.find((r) => r.index === MISSED_ROUND + 1)!;
      expect(Date.parse(retry.openedAt)).toBeGreaterThanOrEqual(Date.parse(missed.completedAt!));
      expect(retry.submitted).toContain(victimId);

      expect(await consortium.client.audit.verify.query()).toMatchObject({ ok: true, firstBreak: null });
      expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

      // The hub's own account of the round: opened for all three, closed at its deadline with the
      // other two updates, their two partial decryptions, then failed for want of the third.
      await consortium.stopHub();
      const trail = await consortium.database!.read((db) => readRoundAudit(db, missed.id));
      expect(trail.map((e) => e.action)).toEqual([
        'round.opened',
        'round.submission_accepted',
        'round.submission_accepted',
        'round.aggregation_closed',
        'round.decryption_share_accepted',
        'round.decryption_share_accepted',
        'round.failed',
      ]);
      expect(trail.find((e) => e.action === 'round.aggregation_closed')?.payload).toMatchObject({ reason: 'deadline reached with 2 of 3 submissions' });
      expect(trail.find((e) => e.action === 'round.failed')?.payload).toMatchObject({ reason: missed.failureReason });
    }, 240_000);
  });
}
