import { studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { performTask, setUpStudy, testStudySpec, useDomainHarness } from '../testing/index.ts';
import { ChangeFeed } from '../changes.ts';
import { waitForTasks } from './poll-tasks.ts';

/** The hub's change feed, telling the test when a long poll starts waiting on it. */
class WatchedFeed extends ChangeFeed {
  readonly #inner: ChangeFeed;
  readonly #onWait: () => void;

  constructor(inner: ChangeFeed, onWait: () => void) {
    super();
    this.#inner = inner;
    this.#onWait = onWait;
  }

  override wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.#onWait();
    return this.#inner.wait(ms, signal);
  }

  override notify(): void {
    this.#inner.notify();
  }
}

const AGENT = { agentVersion: 'test', backend: null };

/** The long poll: held while a site has nothing to do, answered as soon as it has work or news. */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`long poll on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target, { changeFeed: true });

    /** A plaintext study whose first site has done its statistics task, so it waits on the others. */
    async function siteWithNothingToDo() {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: testStudySpec({ encrypted: false }) });
      const site = study.sites[0]!;
      const [task] = (await harness.transport.poll(site)).tasks;
      await performTask(site, harness.transport, study, task!);
      const authenticated = { siteId: site.siteId, siteName: site.name, publicKey: '' };
      return { study, authenticated };
    }

    it('answers at once when the site has work', async () => {
      // Arrange
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 3, spec: testStudySpec({ encrypted: false }) });
      const site = study.sites[1]!;

      // Act
      const started = Date.now();
      const result = await waitForTasks(harness.hub.ctx, { siteId: site.siteId, siteName: site.name, publicKey: '' }, AGENT, { waitMs: 10_000 });

      // Assert
      expect(result.tasks.map((t) => t.kind)).toEqual(['stats']);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('holds the poll for waitMs when nothing changes', async () => {
      // Arrange
      const { authenticated } = await siteWithNothingToDo();

      // Act
      const started = Date.now();
      const result = await waitForTasks(harness.hub.ctx, authenticated, AGENT, { waitMs: 400 });

      // Assert
      expect(result.tasks).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    });

    it('answers as soon as one of the site\'s studies changes status, so an agent run --until-done exits at once', async () => {
      // Arrange
      const { study, authenticated } = await siteWithNothingToDo();
      // The change must come after the poll has seen the study running, i.e. once it waits on the feed.
      let parked!: () => void;
      const waitingOnFeed = new Promise<void>((resolve) => (parked = resolve));
      const changes = new WatchedFeed(harness.hub.ctx.changes!, () => parked());
      const started = Date.now();
      const waiting = waitForTasks({ ...harness.hub.ctx, changes }, authenticated, AGENT, { waitMs: 20_000 });

      // Act: the study ends (any path that commits a change notifies the feed).
      await waitingOnFeed;
      await harness.hub.ctx.db.update(studies).set({ status: 'failed', failureReason: 'stopped by the test' }).where(eq(studies.id, study.id));
      harness.hub.ctx.changes!.notify();
      const result = await waiting;

      // Assert
      expect(result.tasks).toEqual([]);
      expect(result.studies.find((s) => s.studyId === study.id)).toMatchObject({ status: 'failed', failureReason: 'stopped by the test' });
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });
}
