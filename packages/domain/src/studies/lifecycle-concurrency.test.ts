import { randomUUID } from 'node:crypto';
import { rounds, studies, type Transaction } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { currentRound, setUpStudy, testStudySpec, useDomainHarness } from '../testing/index.ts';
import { pauseStudy } from './lifecycle.ts';

/**
 * A pause racing an upload that is being stored. Only PostgreSQL runs two transactions at once
 * (PGlite has one connection, so they never overlap there): the pause must wait for the upload's
 * round lock, so that upload is in before the pause or refused after it.
 */
for (const target of testDatabaseTargets().filter((t) => t.kind === 'postgres')) {
  describe.skipIf(target.skipReason !== null)(`a pause racing an upload on ${target.kind}`, { timeout: 180_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;
    const studyRow = async (studyId: string) => (await ctx().db.select().from(studies).where(eq(studies.id, studyId)))[0]!;

    /**
     * A transaction that holds a round's lock, as an upload does while it adds its update, until
     * `release()`; then runs `thenInside` in it (what the upload does before it commits).
     */
    async function holdRound(roundId: string, thenInside: (tx: Transaction) => Promise<void> = async () => undefined) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      const committed = ctx().db.transaction(async (tx) => {
        await tx.select({ id: rounds.id }).from(rounds).where(eq(rounds.id, roundId)).for('update');
        holding();
        await released;
        await thenInside(tx);
      });
      await held;
      return { release, committed };
    }

    it('waits for an upload being stored to commit before pausing, so that upload is never accepted into a paused study', async () => {
      // Arrange: a running study; a transaction holds its open round's lock as a submission does while it adds its update.
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
      const open = await currentRound(ctx(), study.id);
      const upload = await holdRound(open.row.id);

      // Act: pause while the upload is being stored.
      let pausedAt: Date | null = null;
      const pausing = pauseStudy(ctx(), { studyId: study.id, actor: 'user:lead' }).then((r) => (pausedAt = r.pausedAt));
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Assert: the pause waits for the upload, then takes effect.
      expect(pausedAt).toBeNull();
      upload.release();
      await upload.committed;
      await pausing;
      expect((await studyRow(study.id)).pausedAt).toEqual(pausedAt);
    });

    it('locks a round that opens while the pause waits (the upload it waited for completed its round and opened the next)', async () => {
      // Arrange: a transaction holds the open round as the upload that completes it does.
      const study = await setUpStudy(ctx(), harness.transport, { siteCrypto: harness.siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
      const open = await currentRound(ctx(), study.id);
      const next = { ...open.row, id: randomUUID(), index: open.row.index + 1, status: 'open' as const };
      const upload = await holdRound(open.row.id, async (tx) => {
        await tx.update(rounds).set({ status: 'complete', completedAt: ctx().now() }).where(eq(rounds.id, open.row.id));
        await tx.insert(rounds).values(next);
      });
      const pausing = pauseStudy(ctx(), { studyId: study.id, actor: 'user:lead' });
      await new Promise((resolve) => setTimeout(resolve, 200));

      // Act: the upload completes its round and opens the next while the pause waits.
      upload.release();
      await upload.committed;

      // Assert: the pause went through (on its second try, with the new round locked).
      const { pausedAt } = await pausing;
      expect((await studyRow(study.id)).pausedAt).toEqual(pausedAt);
      expect((await currentRound(ctx(), study.id)).row.id).toBe(next.id);
    });
  });
}
