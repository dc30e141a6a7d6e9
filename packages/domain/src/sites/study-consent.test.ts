import { randomUUID } from 'node:crypto';
import { auditEvents, rounds, studies, studySites } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { advanceDeadlines } from '../rounds/advance-deadlines.ts';
import { currentRound, driveStudy, refusalOf, rejectionOf, runCeremony, runPendingTasks, setUpStudy, testStudySpec, useDomainHarness } from '../testing/index.ts';
import { decideStudyConsent } from './study-consent.ts';

/**
 * Consent: a site takes part in a study only once it has approved it. Until then the study does not
 * count it (nor start without it), the hub gives it no work and accepts no upload from it; a site
 * that withdraws its approval takes no part from the next round on. Every decision is audited.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`site consent on ${target.kind}`, { timeout: 180_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    const studyRow = async (studyId: string) => (await ctx().db.select().from(studies).where(eq(studies.id, studyId)))[0]!;
    const consentEvents = (studyId: string) =>
      ctx().db.select().from(auditEvents).where(and(eq(auditEvents.studyId, studyId), eq(auditEvents.action, 'site.consent_decided'))).orderBy(asc(auditEvents.seq));

    it('does not start a study, give work or accept uploads until the sites approve it; then it runs to completion', async () => {
      // Arrange: every invited site enrols, none approves.
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, approveStudy: false, ceremony: false });
      const [first, second, third] = study.sites as [(typeof study.sites)[0], (typeof study.sites)[0], (typeof study.sites)[0]];

      // Assert: not started, no work, and the poll says why.
      expect((await studyRow(study.id)).status).toBe('enrolling');
      for (const site of study.sites) {
        const poll = await harness.transport.poll(site);
        expect(poll.tasks.filter((t) => t.studyId === study.id)).toEqual([]);
        expect(poll.studies.find((s) => s.studyId === study.id)).toMatchObject({ consent: 'pending' });
      }

      // A key share and a submission from a site that has not approved: refused, naming the study; nothing stored.
      const keyShare = await refusalOf(ctx().db, () =>
        harness.transport.submitKeyShare(first, first.envelope('keyshare', study.id, null, [new Uint8Array(64), new Uint8Array(32)])),
      );
      expect(keyShare.error.code).toBe(ErrorCode.CONSENT_REQUIRED);
      expect(keyShare.error.message).toMatch(new RegExp(`has not approved taking part in study "${study.spec.name}"`));
      expect(keyShare.changedTables).toEqual([]);
      const submission = await refusalOf(ctx().db, () =>
        harness.transport.submitUpdate(first, first.envelope('submission', study.id, randomUUID(), [new Uint8Array(64)])),
      );
      expect(submission.error.code).toBe(ErrorCode.CONSENT_REQUIRED);
      expect(submission.changedTables).toEqual([]);

      // Act: the site administrators approve, one after the other.
      const decide = (siteName: string, decision: 'approve' | 'decline') => decideStudyConsent(ctx(), { siteName, studyId: study.id, decision, note: 'ethics board ok', actor: 'user:test' });
      expect((await decide(first.name, 'approve')).studyStarted).toBe(false);
      expect((await decide(second.name, 'approve')).studyStarted).toBe(false);
      expect((await studyRow(study.id)).status).toBe('enrolling'); // the third has not decided yet
      const last = await decide(third.name, 'approve');

      // Assert: the last approval started the study; it runs to completion.
      expect(last).toMatchObject({ consent: 'approved', studyStarted: true });
      expect((await studyRow(study.id)).status).toBe('keygen');
      await runCeremony(study.sites, harness.transport, study);
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
      const events = await consentEvents(study.id);
      expect(events.map((e) => [e.actor, e.siteId, (e.payload as { consent: string }).consent])).toEqual(
        study.sites.map((s) => ['user:test', s.siteId, 'approved']),
      );
      expect(events[0]!.payload).toMatchObject({ previous: 'pending', note: 'ethics board ok' });
    });

    it('refuses decisions on studies the site is not a member of, and on ended studies', async () => {
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
      const other = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
      const notMember = await rejectionOf(decideStudyConsent(ctx(), { siteName: study.sites[0]!.name, studyId: other.id, decision: 'approve', actor: 'user:test' }));
      expect(notMember.code).toBe(ErrorCode.NOT_FOUND);
      expect(notMember.message).toMatch(/is not a member of study/);
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
      const ended = await rejectionOf(decideStudyConsent(ctx(), { siteName: study.sites[0]!.name, studyId: study.id, decision: 'decline', actor: 'user:test' }));
      expect(ended.code).toBe(ErrorCode.WRONG_STATE);
    });

    it('takes a site that withdraws its approval out of the study from the next round on', async () => {
      // Arrange: a plaintext study of three approved sites, two training rounds; the statistics round done.
      const spec = testStudySpec({ encrypted: false, trainingRounds: 2, minSitesPerRound: 2 });
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec });
      for (const site of study.sites) expect(await runPendingTasks(site, harness.transport, study, { kinds: ['stats'] })).toBe(1);
      const firstTrain = await currentRound(ctx(), study.id);
      expect(firstTrain.row).toMatchObject({ kind: 'train', status: 'open' });
      expect(firstTrain.row.participants).toHaveLength(3);
      const leaving = study.sites[2]!;

      // Act: its site administrator declines after approving.
      const decision = await decideStudyConsent(ctx(), { siteName: leaving.name, studyId: study.id, decision: 'decline', note: 'withdrawn by the hospital', actor: 'user:test' });

      // Assert: no work for it, its upload is refused; the round closes without it and the next one does not include it.
      expect(decision.consent).toBe('declined');
      const poll = await harness.transport.poll(leaving);
      expect(poll.tasks.filter((t) => t.studyId === study.id)).toEqual([]);
      expect(poll.studies.find((s) => s.studyId === study.id)).toMatchObject({ consent: 'declined' });
      const refused = await refusalOf(ctx().db, () =>
        harness.transport.submitUpdate(leaving, leaving.envelope('submission', study.id, firstTrain.row.id, [new Uint8Array(64)])),
      );
      expect(refused.error.code).toBe(ErrorCode.CONSENT_REQUIRED);
      expect(refused.changedTables).toEqual([]);
      for (const site of study.sites.slice(0, 2)) expect(await runPendingTasks(site, harness.transport, study, { kinds: ['train'] })).toBe(1);
      harness.hub.clock.passTo(new Date(firstTrain.row.deadlineAt.getTime() + 1000));
      await advanceDeadlines(ctx());
      const [, closed, next] = await ctx().db.select().from(rounds).where(eq(rounds.studyId, study.id)).orderBy(asc(rounds.index));
      expect(closed).toMatchObject({ status: 'complete', submissionCount: 2 });
      expect(next).toMatchObject({ kind: 'train', status: 'open' });
      expect(new Set(next!.participants)).toEqual(new Set([study.sites[0]!.siteId, study.sites[1]!.siteId]));
      await driveStudy(study.sites, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');

      const [membership] = await ctx().db.select().from(studySites).where(and(eq(studySites.studyId, study.id), eq(studySites.siteId, leaving.siteId)));
      expect(membership).toMatchObject({ consent: 'declined', consentDecidedBy: 'user:test', consentNote: 'withdrawn by the hospital' });
      const events = await consentEvents(study.id);
      const withdrawal = events.find((e) => e.siteId === leaving.siteId && (e.payload as { consent: string }).consent === 'declined');
      expect(withdrawal?.payload).toMatchObject({ previous: 'approved', effect: expect.stringMatching(/from its next round on/) });
    });
  });
}
