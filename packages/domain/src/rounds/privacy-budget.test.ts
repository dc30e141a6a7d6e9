import { auditEvents, rounds, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { StudySpec } from '@consilium/schemas';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { driveStudy, setUpStudy, testStudySpec, useDomainHarness } from '../testing/index.ts';

/**
 * The hub's privacy accountant: with (ε, δ) set, every decrypted training round records the ε spent
 * so far (round result and audit log), and the study stops with a clear message once one more round
 * would exceed the budget. (Simulated sites add no noise: the accounting depends only on the spec.)
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`privacy budget on ${target.kind}`, { timeout: 120_000 }, () => {
    const harness = useDomainHarness(target);

    const dpSpec = (rounds: number) => {
      const base = testStudySpec({ trainingRounds: rounds });
      return StudySpec.parse({ ...base, privacy: { ...base.privacy, differentialPrivacy: { epsilon: 2, delta: 1e-5, clipNorm: 0.5 } } });
    };

    it('records ε spent per training round, within the budget, in round results and the audit log', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: dpSpec(3) });
      await driveStudy(study.sites, harness.transport, study);
      const [row] = await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, study.id));
      expect(row).toMatchObject({ status: 'completed', failureReason: null });
      const train = (await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.studyId, study.id)).orderBy(asc(rounds.index))).filter((r) => r.kind === 'train');
      const spent = train.map((r) => (r.result as { epsilonSpent: number }).epsilonSpent);
      expect(spent).toHaveLength(3);
      expect(spent[0]).toBeGreaterThan(0);
      expect(spent[1]).toBeGreaterThan(spent[0]!);
      expect(spent[2]).toBeGreaterThan(spent[1]!);
      expect(spent[2]).toBeLessThanOrEqual(2);
      expect(spent[2]).toBeGreaterThan(1.9);
      const events = await harness.hub.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.studyId, study.id), eq(auditEvents.action, 'study.privacy_budget_spent'))).orderBy(asc(auditEvents.seq));
      expect(events.map((e) => (e.payload as { epsilonSpent: number }).epsilonSpent)).toEqual(spent);
    });

    it('stops the study, saying so, when the next round would exceed the budget', async () => {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: dpSpec(2) });
      // A training round whose sum was decrypted but whose model was then refused still spent ε:
      // here one such round (as the hub records it) uses one of the two rounds the budget allows.
      const [first] = await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.studyId, study.id));
      await harness.hub.ctx.db.insert(rounds).values({
        studyId: study.id,
        index: 99,
        kind: 'train',
        status: 'failed',
        participants: first!.participants,
        encoding: first!.encoding,
        deadlineAt: harness.hub.clock.now(),
        decryptors: first!.participants.slice(0, 2),
        shareCount: 2,
        failureReason: 'the aggregate is not a valid model (test)',
      });
      await driveStudy(study.sites, harness.transport, study);
      const [done] = await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, study.id));
      expect(done!.status).toBe('completed');
      expect(done!.failureReason).toMatch(/^privacy budget exhausted: ε spent 1\.9\d? of 2 after 2 rounds/);
      const models = (await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.studyId, study.id))).filter((r) => r.kind === 'train' && r.status === 'complete');
      expect(models).toHaveLength(1);
      const [completed] = await harness.hub.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.studyId, study.id), eq(auditEvents.action, 'study.completed')));
      expect((completed!.payload as { note: string }).note).toBe(done!.failureReason);
    });
  });
}
