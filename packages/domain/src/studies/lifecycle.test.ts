import { auditEvents, modelVersions, rounds, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enrollSite } from '../enrollment/enroll-site.ts';
import { issueEnrollmentToken } from '../enrollment/issue-token.ts';
import { getModelVersion } from '../models/get-model.ts';
import { advanceDeadlines } from '../rounds/advance-deadlines.ts';
import { currentRound, driveStudy, performTask, refusalOf, rejectionOf, runPendingTasks, setUpStudy, SimulatedSite, testStudySpec, useDomainHarness } from '../testing/index.ts';
import { pauseStudy, resumeStudy, stopStudy } from './lifecycle.ts';

const HOUR = 3600 * 1000;

/**
 * Pausing holds a study where it is — no work, no upload accepted, no deadline running out — and
 * resuming gives the sites back the time the pause took; stopping ends it for good, keeping the
 * models published so far.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`pause, resume and stop on ${target.kind}`, { timeout: 180_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    const studyRow = async (studyId: string) => (await ctx().db.select().from(studies).where(eq(studies.id, studyId)))[0]!;
    const actions = async (studyId: string) =>
      (await ctx().db.select({ action: auditEvents.action, actor: auditEvents.actor, payload: auditEvents.payload }).from(auditEvents).where(eq(auditEvents.studyId, studyId)).orderBy(asc(auditEvents.seq)));

    it('pauses a running study (no tasks, uploads refused, no deadline runs out) and resumes it with its deadline moved by the pause', async () => {
      // Arrange: a plaintext study whose statistics round is open; one site has its task in hand.
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: testStudySpec({ encrypted: false }) });
      const stats = await currentRound(ctx(), study.id);
      const site = study.sites[0]!;
      const [task] = (await harness.transport.poll(site)).tasks.filter((t) => t.studyId === study.id);
      expect(task?.kind).toBe('stats');

      // Act: pause.
      const { pausedAt } = await pauseStudy(ctx(), { studyId: study.id, actor: 'user:lead', reason: 'data issue at one site' });

      // Assert: no work; the upload is refused as paused (retryable), with nothing stored.
      for (const s of study.sites) {
        const poll = await harness.transport.poll(s);
        expect(poll.tasks.filter((t) => t.studyId === study.id)).toEqual([]);
        expect(poll.studies.find((p) => p.studyId === study.id)).toMatchObject({ pausedAt: pausedAt.toISOString() });
      }
      const refused = await refusalOf(ctx().db, () => performTask(site, harness.transport, study, task!));
      expect(refused.error.code).toBe(ErrorCode.STUDY_PAUSED);
      expect(refused.error.message).toMatch(new RegExp(`Study "${study.spec.name}" is paused`));
      expect(refused.changedTables).toEqual([]);
      expect((await rejectionOf(pauseStudy(ctx(), { studyId: study.id, actor: 'user:lead' }))).code).toBe(ErrorCode.WRONG_STATE);

      // The round's deadline passes during the pause: nothing runs out.
      harness.hub.clock.passTo(new Date(stats.row.deadlineAt.getTime() + HOUR));
      await advanceDeadlines(ctx());
      expect((await currentRound(ctx(), study.id)).row).toMatchObject({ id: stats.row.id, status: 'open' });

      // Act: resume.
      const { resumedAt } = await resumeStudy(ctx(), { studyId: study.id, actor: 'user:lead' });

      // Assert: the deadline moved by the pause's length; the study then runs to completion.
      const pauseMs = resumedAt.getTime() - pausedAt.getTime();
      const resumed = await currentRound(ctx(), study.id);
      expect(resumed.row.deadlineAt.getTime()).toBe(stats.row.deadlineAt.getTime() + pauseMs);
      expect((await studyRow(study.id)).pausedAt).toBeNull();
      await advanceDeadlines(ctx());
      expect((await currentRound(ctx(), study.id)).row.status).toBe('open');
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
      const events = await actions(study.id);
      expect(events.find((e) => e.action === 'study.paused')).toMatchObject({ actor: 'user:lead', payload: { reason: 'data issue at one site' } });
      expect(events.find((e) => e.action === 'study.resumed')).toMatchObject({ actor: 'user:lead', payload: { pausedForMs: pauseMs, deadlinesMovedBy: pauseMs } });
    });

    it('stops a study for good: the open round is abandoned with the reason, models are kept, no site can join', async () => {
      // Arrange: a plaintext study of three training rounds, stopped after its first model.
      const spec = testStudySpec({ encrypted: false, trainingRounds: 3 });
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 2, spec });
      const lateToken = await issueEnrollmentToken(ctx(), { studyId: study.id, siteName: 'Late Hospital', actor: 'admin:test' });
      for (const site of study.sites) await runPendingTasks(site, harness.transport, study, { kinds: ['stats'] });
      for (const site of study.sites) await runPendingTasks(site, harness.transport, study, { kinds: ['train'] });
      const [model] = await ctx().db.select().from(modelVersions).where(eq(modelVersions.studyId, study.id));
      expect(model?.version).toBe(1);
      const open = await currentRound(ctx(), study.id);
      expect(open.row.status).toBe('open');

      // Act
      const { stoppedAt } = await stopStudy(ctx(), { studyId: study.id, actor: 'user:lead', reason: 'the protocol was withdrawn' });

      // Assert
      expect(await studyRow(study.id)).toMatchObject({ status: 'stopped', stoppedAt, stopReason: 'the protocol was withdrawn', pausedAt: null });
      const [abandoned] = await ctx().db.select().from(rounds).where(eq(rounds.id, open.row.id));
      expect(abandoned).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('the protocol was withdrawn') });
      expect((await getModelVersion(ctx(), { modelVersionId: model!.id, siteId: study.sites[0]!.siteId })).parametersHash).toBe(model!.parametersHash);
      for (const site of study.sites) expect((await harness.transport.poll(site)).tasks.filter((t) => t.studyId === study.id && t.kind !== 'evaluate')).toEqual([]);
      expect((await rejectionOf(issueEnrollmentToken(ctx(), { studyId: study.id, siteName: 'Another Hospital', actor: 'admin:test' }))).code).toBe(ErrorCode.WRONG_STATE);
      const late = new SimulatedSite({ name: 'Late Hospital', crypto: harness.siteCrypto, profile: { samples: 100, positives: 10 } });
      const refusal = await rejectionOf(enrollSite(ctx(), { token: lateToken.token, publicKey: late.identity.publicKey, agentVersion: 'test', approveStudy: true }));
      expect(refusal.code).toBe(ErrorCode.WRONG_STATE);
      expect(refusal.message).toMatch(/has ended \(status stopped\)/);
      // One at a time: a refusal must have its handler before it happens.
      for (const call of [() => pauseStudy(ctx(), { studyId: study.id, actor: 'user:lead' }), () => stopStudy(ctx(), { studyId: study.id, actor: 'user:lead', reason: 'again' })]) {
        expect((await rejectionOf(call())).code).toBe(ErrorCode.WRONG_STATE);
      }
      const events = await actions(study.id);
      expect(events.find((e) => e.action === 'study.stopped')).toMatchObject({ actor: 'user:lead', payload: { reason: 'the protocol was withdrawn', abandonedRounds: [open.row.index] } });
      const failed = await ctx().db.select().from(auditEvents).where(and(eq(auditEvents.studyId, study.id), inArray(auditEvents.action, ['round.failed'])));
      expect(failed).toHaveLength(1);
    });
  });
}
