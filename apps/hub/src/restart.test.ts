import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { submissions } from '@consilium/db';
import { HubCrypto, verifyAuditChain } from '@consilium/domain';
import { contributionsTo, expectedStatistics, runPendingTasks, type HubTransport, type TestStudy } from '@consilium/domain/testing';
import type { HubClient } from '@consilium/api/client';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../test/hub-databases.ts';
import { spawnHub } from '../test/hub-process.ts';
import { httpTransport } from '../test/http-transport.ts';
import { adminOverHttp, setUpStudyOverHttp, statsUpload } from '../test/study-over-http.ts';
import { createHub, type Hub } from './create-hub.ts';

/**
 * The hub keeps all state in its database, so it can stop — cleanly, or killed mid-round — and
 * carry on where it was. Sites submit part of a round over HTTP, the hub goes away, a new hub
 * starts on the same data, the round finishes: every submission the hub had acknowledged is in
 * the decrypted sum (exactly once, however often the agents re-send), and the audit chain verifies.
 */
const silent = pino({ level: 'silent' });

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`hub restart on ${target.kind}`, { timeout: 120_000 }, () => {
    let siteCrypto: HubCrypto;
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    let hub: Hub | null = null;
    const base = { url: '' };
    const transport: HubTransport = httpTransport(() => base.url);

    beforeAll(() => {
      siteCrypto = new HubCrypto();
    });
    afterAll(async () => {
      await siteCrypto?.dispose();
    });

    /** A fresh data directory and database for each test; whatever hub is left is stopped. */
    const withFreshHubData = (run: () => Promise<void>) => async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-restart-'));
      database = await target.create();
      try {
        await run();
      } finally {
        await hub?.stop();
        hub = null;
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    };

    /** Starts an in-process hub on the test's data and points the sites at it. */
    async function startHub(): Promise<{ adminTokenFile: string | null }> {
      hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: silent });
      const started = await hub.start();
      base.url = started.url;
      return started;
    }

    /** Finishes the statistics round and checks it summed exactly the sites' contributions. */
    async function finishRound(admin: HubClient, study: TestStudy, roundId: string): Promise<void> {
      for (const site of study.sites) await runPendingTasks(site, transport, study, { kinds: ['decrypt'] });
      const progress = await admin.studies.progress.query({ studyId: study.id });
      expect(progress.rounds[0]).toMatchObject({ id: roundId, status: 'complete', submitted: expect.arrayContaining(study.sites.map((s) => s.siteId)) });
      expect(progress.rounds[0]!.submitted).toHaveLength(3);
      const expected = expectedStatistics(study.spec, contributionsTo(roundId, study.sites));
      expect(progress.totalSamples).toBe(expected.totalSamples);
      const statistics = progress.statistics as typeof expected;
      // CKKS noise at the statistics round's scale is ~1e-3 per sum; a lost site would shift whole percents.
      for (const [name, moments] of Object.entries(expected.numeric)) {
        expect(Math.abs(statistics.numeric[name]!.mean - moments.mean)).toBeLessThan(1e-3 * moments.mean);
      }
      expect(await verifyAuditChain(hub!.domain.db)).toMatchObject({ ok: true, firstBreak: null });
      expect(await admin.audit.verify.query()).toMatchObject({ ok: true });
    }

    it(
      'stopped mid-round and started again on the same data, keeps every accepted submission',
      withFreshHubData(async () => {
        const first = await startHub();
        const token = (await readFile(first.adminTokenFile!, 'utf8')).trim();
        const admin = () => adminOverHttp(base.url, token);
        const study = await setUpStudyOverHttp({ admin: admin(), transport, siteCrypto });
        const [a, b] = study.sites as [TestStudy['sites'][number], TestStudy['sites'][number]];
        const uploadA = await statsUpload(a, transport, study);
        const uploadB = await statsUpload(b, transport, study);
        expect(await transport.submitUpdate(a, uploadA.envelope)).toMatchObject({ duplicate: false, submissionsSoFar: 1 });
        expect(await transport.submitUpdate(b, uploadB.envelope)).toMatchObject({ duplicate: false, submissionsSoFar: 2 });
        a.accepted.set(uploadA.roundId, uploadA.contribution);
        b.accepted.set(uploadB.roundId, uploadB.contribution);

        await hub!.stop();
        await expect(transport.poll(a)).rejects.toThrow();
        const second = await startHub();
        expect(second.adminTokenFile).toBeNull();

        // An agent that missed its receipt re-sends the same bytes: acknowledged, not counted again.
        expect(await transport.submitUpdate(a, uploadA.envelope)).toMatchObject({ duplicate: true, submissionsSoFar: 2 });
        expect(await runPendingTasks(study.sites[2]!, transport, study, { kinds: ['stats'] })).toBe(1);
        await finishRound(admin(), study, uploadA.roundId);
      }),
    );

    it(
      'killed (SIGKILL) mid-round, with a submission in flight, loses nothing it acknowledged and counts the in-flight one once',
      withFreshHubData(async () => {
        // The real entry point in a child process, with a clean environment (no inherited DATABASE_URL).
        const env: Record<string, string> = { PATH: process.env.PATH ?? '', CONSILIUM_LOG_LEVEL: 'warn' };
        if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
        const child = await spawnHub({ dataDir, env });
        base.url = child.url;
        const token = (await readFile(child.adminTokenFile!, 'utf8')).trim();
        const admin = () => adminOverHttp(base.url, token);
        const study = await setUpStudyOverHttp({ admin: admin(), transport, siteCrypto });
        const [a, b] = study.sites as [TestStudy['sites'][number], TestStudy['sites'][number]];
        const uploadA = await statsUpload(a, transport, study);
        const uploadB = await statsUpload(b, transport, study);
        expect(await transport.submitUpdate(a, uploadA.envelope)).toMatchObject({ duplicate: false, submissionsSoFar: 1 });
        a.accepted.set(uploadA.roundId, uploadA.contribution);

        // b's upload is on its way when the hub dies: it may or may not have committed.
        const inFlight = transport.submitUpdate(b, uploadB.envelope).then(
          (receipt) => ({ receipt }),
          (error: unknown) => ({ error }),
        );
        await delay(15);
        await child.kill('SIGKILL');
        const outcome = await inFlight;

        await startHub();
        expect(await transport.submitUpdate(a, uploadA.envelope)).toMatchObject({ duplicate: true, submissionsSoFar: 1 + (await committed(uploadB.roundId, b.siteId)) });
        // b's agent re-sends from its outbox; if the first attempt was acknowledged it must be a duplicate.
        const resent = await transport.submitUpdate(b, uploadB.envelope);
        if ('receipt' in outcome) expect(resent.duplicate).toBe(true);
        expect(resent.submissionsSoFar).toBe(2);
        b.accepted.set(uploadB.roundId, uploadB.contribution);
        expect(await runPendingTasks(study.sites[2]!, transport, study, { kinds: ['stats'] })).toBe(1);
        await finishRound(admin(), study, uploadA.roundId);
        expect(await hub!.domain.db.select().from(submissions).where(eq(submissions.roundId, uploadA.roundId))).toHaveLength(3);
      }),
    );

    /** 1 if the site's submission to the round is stored, else 0. */
    async function committed(roundId: string, siteId: string): Promise<number> {
      const rows = await hub!.domain.db.select().from(submissions).where(eq(submissions.roundId, roundId));
      return rows.filter((r) => r.siteId === siteId).length;
    }
  });
}
