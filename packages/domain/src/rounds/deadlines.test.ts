import { auditEvents, roundChunks, rounds, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { and, asc, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { currentRound, driveStudy, rejectionOf, runPendingTasks, setUpStudy, testStudySpec, type TestStudy, useDomainHarness } from '../testing/index.ts';
import { advanceDeadlines } from './advance-deadlines.ts';
import { loadRound } from './load-round.ts';

/**
 * Deadlines, enforced by `advanceDeadlines` with a hand-moved clock: a late round closes with what
 * it has when that is enough, fails (and is retried) when it is not, a silent decryptor is replaced
 * by another committee member, too few decryptors fail the round naming them, and a study gives up
 * after too many failed rounds in a row.
 */
const DAY = 24 * 3600 * 1000;

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`deadlines on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    // Tests share a database and advanceDeadlines sees every study: let earlier tests' rounds run
    // out first, so each test's deadline checks concern its own study only.
    beforeEach(async () => {
      for (let i = 0; i < 10; i++) {
        harness.hub.clock.advance(DAY);
        const report = await advanceDeadlines(harness.hub.ctx);
        if (report.closed + report.failedRounds + report.failedStudies === 0) return;
      }
      throw new Error('earlier studies did not settle');
    });

    const roundsOf = (studyId: string) => harness.hub.ctx.db.select().from(rounds).where(eq(rounds.studyId, studyId)).orderBy(asc(rounds.index));
    const studyRow = async (studyId: string) => (await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, studyId)))[0]!;
    const submitStats = async (study: TestStudy, siteIndexes: number[]) => {
      for (const i of siteIndexes) expect(await runPendingTasks(study.sites[i]!, harness.transport, study, { kinds: ['stats'] })).toBe(1);
    };
    /** Every site performs its decrypt tasks; exactly the threshold's worth are asked. */
    const decrypt = async (study: TestStudy) => {
      let performed = 0;
      for (const site of study.sites) performed += await runPendingTasks(site, harness.transport, study, { kinds: ['decrypt'] });
      expect(performed).toBe((await studyRow(study.id)).threshold);
    };

    it('closes a training round at its deadline with enough submissions, and the study proceeds from them', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3 });
      await submitStats(study, [0, 1, 2]);
      await decrypt(study);
      const train = await currentRound(harness.hub.ctx, study.id);
      expect(train.row).toMatchObject({ kind: 'train', status: 'open' });
      for (const i of [0, 1]) expect(await runPendingTasks(study.sites[i]!, harness.transport, study, { kinds: ['train'] })).toBe(1);

      harness.hub.clock.passTo(new Date(train.row.deadlineAt.getTime() - 1));
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 0, failedStudies: 0, errors: [] });
      harness.hub.clock.passTo(train.row.deadlineAt);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 1, failedRounds: 0, failedStudies: 0, errors: [] });

      const closed = await loadRound(harness.hub.ctx.db, train.row.id);
      expect(closed.row).toMatchObject({ status: 'decrypting', submissionCount: 2 });
      // The late site may no longer submit; the two sites that did are the ones asked to decrypt (t = 2).
      const late = study.sites[2]!;
      expect((await harness.transport.poll(late)).tasks.filter((t) => t.studyId === study.id)).toEqual([]);
      expect(new Set(closed.row.decryptors)).toEqual(new Set([study.sites[0]!.siteId, study.sites[1]!.siteId]));

      await driveStudy(study.sites, harness.transport, study);
      const [, trainRound] = await roundsOf(study.id);
      expect(trainRound).toMatchObject({ kind: 'train', status: 'complete', result: { contributors: 2 } });
      expect((await studyRow(study.id)).status).toBe('completed');
      const [closing] = await harness.hub.ctx.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.roundId, train.row.id), eq(auditEvents.action, 'round.aggregation_closed')));
      expect(closing?.payload).toMatchObject({ submissions: 2, reason: 'deadline reached with 2 of 3 submissions' });
    });

    it('fails a training round with fewer submissions than the minimum, naming the counts', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3 });
      await submitStats(study, [0, 1, 2]);
      await decrypt(study);
      const train = await currentRound(harness.hub.ctx, study.id);
      expect(await runPendingTasks(study.sites[0]!, harness.transport, study, { kinds: ['train'] })).toBe(1);

      harness.hub.clock.passTo(train.row.deadlineAt);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });
      const [, failed, retry] = await roundsOf(study.id);
      expect(failed).toMatchObject({ status: 'failed', failureReason: 'only 1 of 3 sites submitted before the deadline; at least 2 are required' });
      expect(retry).toMatchObject({ kind: 'train', status: 'open', baseModelVersionId: train.row.baseModelVersionId });
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
    });

    it('needs every site in the statistics round (it fixes N and the standardisation), and retries it', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3 });
      const stats = await currentRound(harness.hub.ctx, study.id);
      await submitStats(study, [0, 1]);

      harness.hub.clock.passTo(stats.row.deadlineAt);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });

      const [failed, retry] = await roundsOf(study.id);
      expect(failed).toMatchObject({ status: 'failed', failureReason: 'the statistics round needs every site; only 2 of 3 submitted before the deadline' });
      expect(retry).toMatchObject({ index: 1, kind: 'stats', status: 'open' });
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
    });

    it('fails the statistics round with too few submissions, discards its partial sum, and retries it with every site', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3 });
      const stats = await currentRound(harness.hub.ctx, study.id);
      await submitStats(study, [0]);
      expect(await harness.hub.ctx.db.select().from(roundChunks).where(eq(roundChunks.roundId, stats.row.id))).toHaveLength(1);

      harness.hub.clock.passTo(stats.row.deadlineAt);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });

      const [failed, retry] = await roundsOf(study.id);
      expect(failed).toMatchObject({ status: 'failed', failureReason: 'the statistics round needs every site; only 1 of 3 submitted before the deadline' });
      // The failed round's partial sum is discarded, not carried over.
      expect(await harness.hub.ctx.db.select().from(roundChunks).where(eq(roundChunks.roundId, stats.row.id))).toHaveLength(0);
      expect(retry).toMatchObject({ index: 1, kind: 'stats', status: 'open', submissionCount: 0, participants: stats.row.participants });
      expect(retry!.deadlineAt.getTime()).toBe(harness.hub.clock.ms() + study.spec.federation.roundDeadlineSeconds * 1000);
      expect((await studyRow(study.id)).status).toBe('running');

      // Every site (the one that submitted too) is asked again, for the retry round.
      for (const site of study.sites) {
        const tasks = (await harness.transport.poll(site)).tasks.filter((t) => t.studyId === study.id);
        expect(tasks.map((t) => ('roundId' in t ? t.roundId : null))).toEqual([retry!.id]);
      }
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
    });

    it('asks members outside the first set when a decryptor misses its attempt, and completes the round with t shares', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 4, spec: testStudySpec({ committee: { threshold: 2 } }) });
      await submitStats(study, [0, 1, 2, 3]);
      const decrypting = await currentRound(harness.hub.ctx, study.id);
      expect(decrypting.row).toMatchObject({ status: 'decrypting', decryptAttempt: 1 });
      expect(decrypting.row.decryptors).toHaveLength(2);
      const [first, silent] = decrypting.row.decryptors.map((id) => study.sites.find((s) => s.siteId === id)!);
      expect(await runPendingTasks(first!, harness.transport, study, { kinds: ['decrypt'] })).toBe(1);

      harness.hub.clock.passTo(decrypting.row.attemptDeadlineAt!);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 0, failedStudies: 0, errors: [] });
      const second = await loadRound(harness.hub.ctx.db, decrypting.row.id);
      expect(second.row).toMatchObject({ status: 'decrypting', decryptAttempt: 2, shareCount: 0 });
      expect(new Set(second.row.excludedDecryptors)).toEqual(new Set([first!.siteId, silent!.siteId]));
      // Neither member of the first set is asked again for this aggregate (a second share would leak its key share).
      for (const site of [first!, silent!]) expect((await harness.transport.poll(site)).tasks.filter((t) => t.studyId === study.id)).toEqual([]);

      await decrypt(study);
      expect((await loadRound(harness.hub.ctx.db, decrypting.row.id)).row).toMatchObject({ status: 'complete' });
      const chosen = await harness.hub.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.roundId, decrypting.row.id), eq(auditEvents.action, 'round.decryptors_chosen'))).orderBy(asc(auditEvents.seq));
      expect(chosen.map((e) => (e.payload as { attempt: number }).attempt)).toEqual([1, 2]);
    });

    it('fails a round cleanly when fewer than t members are left to decrypt, naming the silent one, and retries it', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3 });
      await submitStats(study, [0, 1, 2]);
      const decrypting = await currentRound(harness.hub.ctx, study.id);
      const [answering, silent] = decrypting.row.decryptors.map((id) => study.sites.find((s) => s.siteId === id)!);
      expect(await runPendingTasks(answering!, harness.transport, study, { kinds: ['decrypt'] })).toBe(1);

      harness.hub.clock.passTo(decrypting.row.attemptDeadlineAt!);
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });
      const [failed, retry] = await roundsOf(study.id);
      expect(failed).toMatchObject({ status: 'failed', shareCount: 1 });
      expect(failed!.failureReason).toBe(`partial decryptions missing from ${silent!.name}; decryption needs 2 committee members not yet asked for this aggregate; only 1 remain`);
      expect(retry).toMatchObject({ index: 1, kind: 'stats', status: 'open' });
      // A share sent after the round failed is refused.
      const error = await rejectionOf(harness.transport.submitDecryptionShare(silent!, silent!.envelope('decryption-share', study.id, decrypting.row.id, [new Uint8Array(8)])));
      expect(error.code).toBe(ErrorCode.WRONG_STATE);
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
    });

    it('fails the study after maxConsecutiveRoundFailures failed rounds in a row; a completed round resets the count', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: testStudySpec({ trainingRounds: 3 }) });
      const expire = async () => {
        const round = await currentRound(harness.hub.ctx, study.id);
        harness.hub.clock.passTo(round.row.deadlineAt);
        return advanceDeadlines(harness.hub.ctx);
      };
      const limit = harness.hub.ctx.limits.maxConsecutiveRoundFailures;
      expect(limit).toBe(3);

      // Two failed statistics rounds, then one that completes.
      for (let i = 0; i < limit - 1; i++) expect(await expire()).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });
      await submitStats(study, [0, 1, 2]);
      await decrypt(study);
      expect((await currentRound(harness.hub.ctx, study.id)).row).toMatchObject({ kind: 'train', status: 'open' });

      // Training rounds fail: limit − 1 failures in a row leave the study running…
      for (let i = 0; i < limit - 1; i++) expect(await expire()).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });
      expect((await studyRow(study.id)).status).toBe('running');
      // …the limit-th fails it, and no retry round opens.
      const roundsBefore = (await roundsOf(study.id)).length;
      expect(await expire()).toEqual({ closed: 0, failedRounds: 1, failedStudies: 0, errors: [] });
      const failedStudy = await studyRow(study.id);
      expect(failedStudy.status).toBe('failed');
      expect(failedStudy.failureReason).toBe(`${limit} rounds failed in a row; last: only 0 of 3 sites submitted before the deadline; at least 2 are required`);
      const all = await roundsOf(study.id);
      expect(all).toHaveLength(roundsBefore);
      expect(all.map((r) => r.status)).toEqual(['failed', 'failed', 'complete', 'failed', 'failed', 'failed']);
      const poll = await harness.transport.poll(study.sites[0]!);
      expect(poll.tasks.filter((t) => t.studyId === study.id)).toEqual([]);
      expect(poll.studies.find((s) => s.studyId === study.id)).toMatchObject({ status: 'failed', failureReason: failedStudy.failureReason });
    });

    it('fails a study whose key ceremony misses its deadline, naming the site and the stage it missed', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, ceremony: false });
      for (const site of study.sites.slice(0, 2)) expect(await runPendingTasks(site, harness.transport, study, { kinds: ['keygen'] })).toBe(1);
      const started = (await studyRow(study.id)).ceremonyStartedAt!;
      harness.hub.clock.passTo(new Date(started.getTime() + study.spec.federation.roundDeadlineSeconds * 1000));
      expect(await advanceDeadlines(harness.hub.ctx)).toEqual({ closed: 0, failedRounds: 0, failedStudies: 1, errors: [] });
      expect(await studyRow(study.id)).toMatchObject({
        status: 'failed',
        failureReason: `key ceremony (epoch 0) incomplete at its deadline: no public-key share from ${study.sites[2]!.name}`,
      });
      expect(await roundsOf(study.id)).toEqual([]);
    });

  });
}
