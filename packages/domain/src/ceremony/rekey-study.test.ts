import { rounds, studies, studySites } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { issueEnrollmentToken } from '../enrollment/issue-token.ts';
import { revokeSite } from '../sites/manage-sites.ts';
import { driveStudy, runCeremony, runPendingTasks, setUpStudy, SimulatedSite, siteProfiles, testStudySpec, useDomainHarness } from '../testing/index.ts';
import { rekeyStudy } from './rekey-study.ts';

/**
 * Committee changes: when a site leaves (revoked) or a new one joins a running study, the operator
 * re-keys it — a fresh dealer-free ceremony among the current sites — and training resumes from the
 * latest global model under the new key; the departed site holds no share of it.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`re-keying on ${target.kind}`, { timeout: 120_000 }, () => {
    const harness = useDomainHarness(target);

    const studyRow = async (id: string) => (await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, id)))[0]!;
    const roundsOf = (id: string) => harness.hub.ctx.db.select().from(rounds).where(eq(rounds.studyId, id)).orderBy(asc(rounds.index));

    it('re-keys after a site leaves and after a new one joins; the study completes under each new key', async () => {
      const spec = testStudySpec({ trainingRounds: 3 });
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 4, spec });
      const before = await studyRow(study.id);
      expect(before).toMatchObject({ status: 'running', keyEpoch: 0, threshold: 3 });
      expect(new Set(before.committee)).toEqual(new Set(study.sites.map((s) => s.siteId)));

      // Statistics round and the first training round under epoch 0.
      for (let i = 0; i < 6 && (await roundsOf(study.id)).filter((r) => r.status === 'complete').length < 2; i++) {
        for (const site of study.sites) await runPendingTasks(site, harness.transport, study);
      }
      expect((await roundsOf(study.id)).filter((r) => r.status === 'complete')).toHaveLength(2);

      // Site 4 leaves the consortium: revoke it, then re-key among the three that remain.
      const leaving = study.sites[3]!;
      await revokeSite(harness.hub.ctx, { siteName: leaving.name, actor: 'admin:test', reason: 'left the consortium' });
      const rekeyed = await rekeyStudy(harness.hub.ctx, { studyId: study.id, actor: 'admin:test', reason: `${leaving.name} left` });
      expect(rekeyed).toMatchObject({ epoch: 1, threshold: 2 });
      expect(new Set(rekeyed.committee)).toEqual(new Set(study.sites.slice(0, 3).map((s) => s.siteId)));
      const remaining = study.sites.slice(0, 3);
      await runCeremony(remaining, harness.transport, study);
      const afterLeave = await studyRow(study.id);
      expect(afterLeave).toMatchObject({ status: 'running', keyEpoch: 1 });
      expect(afterLeave.publicKeyHash).not.toBe(before.publicKeyHash);
      // The interrupted round (if any) was stopped; the next round runs under epoch 1 without the departed site.
      const open = (await roundsOf(study.id)).at(-1)!;
      expect(open).toMatchObject({ kind: 'train', status: 'open', keyEpoch: 1 });
      expect(open.participants).not.toContain(leaving.siteId);

      // A new hospital joins the running study, and the study is re-keyed to include it.
      const token = await issueEnrollmentToken(harness.hub.ctx, { studyId: study.id, siteName: `${study.sites[0]!.name} joiner`, actor: 'admin:test' });
      const joiner = new SimulatedSite({ name: token.siteName, crypto: harness.siteCrypto, profile: siteProfiles(5)[4]! });
      joiner.siteId = (await harness.transport.enroll(joiner, token.token)).siteId;
      const members = [...remaining, joiner];
      const again = await rekeyStudy(harness.hub.ctx, { studyId: study.id, actor: 'admin:test', reason: `${joiner.name} joined` });
      expect(again).toMatchObject({ epoch: 2, threshold: 3 });
      expect(new Set(again.committee)).toEqual(new Set(members.map((s) => s.siteId)));
      await runCeremony(members, harness.transport, study);
      const afterJoin = await studyRow(study.id);
      expect(afterJoin).toMatchObject({ status: 'running', keyEpoch: 2 });
      expect(afterJoin.publicKeyHash).not.toBe(afterLeave.publicKeyHash);

      await driveStudy(members, harness.transport, study);
      expect((await studyRow(study.id)).status).toBe('completed');
      const last = (await roundsOf(study.id)).at(-1)!;
      expect(last).toMatchObject({ status: 'complete', keyEpoch: 2 });
      expect(last.participants).toContain(joiner.siteId);
      // The departed site's key material is of epoch 0; the study's membership rows no longer list it as a key holder.
      const rows = await harness.hub.ctx.db.select().from(studySites).where(eq(studySites.studyId, study.id));
      expect(rows.find((r) => r.siteId === leaving.siteId)?.keyShare ?? null).toBeNull();
    });
  });
}
