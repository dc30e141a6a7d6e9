import { auditEvents, rounds, studies, submissions } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { HubCrypto, type DomainContext } from '@consilium/domain';
import {
  contributionsTo,
  createTestHub,
  currentRound,
  expectedStatistics,
  refusalOf,
  runPendingTasks,
  setUpStudy,
  snapshotState,
  type HubTransport,
  type LoadedRound,
  type SimulatedSite,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport } from './testing/api-transport.ts';

/**
 * An agent re-sends an upload whenever it did not see the receipt (it crashed, the network dropped).
 * The hub must answer an identical re-send with the original receipt — counted once, audited once,
 * nothing changed — at any time, even after the round moved on; a different second submission is
 * a CONFLICT. Concurrent submissions (PostgreSQL runs them in parallel transactions) are each
 * counted exactly once and none is lost from the encrypted sum.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`idempotent submissions on ${target.kind}`, { timeout: 60_000 }, () => {
    let hub: TestHub;
    let domain: DomainContext;
    let siteCrypto: HubCrypto;
    let transport: HubTransport;

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      siteCrypto = new HubCrypto();
      transport = apiTransport(domain);
    }, 60_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    /** A signed statistics-round submission of `site`, freshly encrypted (so never byte-identical to another). */
    const statsSubmission = async (study: TestStudy, site: SimulatedSite, round: LoadedRound) => {
      const parts = await site.encode(round.encoding, await transport.publicKey(site, study.id), site.statsVector(study.spec));
      return site.envelope('submission', study.id, round.row.id, parts);
    };
    const acceptancesOf = (roundId: string, site: SimulatedSite) =>
      domain.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'round.submission_accepted'), eq(auditEvents.roundId, roundId), eq(auditEvents.siteId, site.siteId)));
    const roundRow = async (roundId: string) => (await domain.db.select().from(rounds).where(eq(rounds.id, roundId)))[0]!;

    describe('re-sends', () => {
      let study: TestStudy;
      let site: SimulatedSite;
      let round: LoadedRound;
      let roundId: string;
      let envelope: Uint8Array;
      beforeAll(async () => {
        study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
        site = study.sites[0]!;
        round = await currentRound(domain, study.id);
        roundId = round.row.id;
        envelope = await statsSubmission(study, site, round);
      });

      /** Re-sends `envelope`: the receipt must be a duplicate and nothing stored may change. */
      const expectDuplicate = async (submissionsSoFar: number) => {
        const before = await snapshotState(domain.db);
        const receipt = await transport.submitUpdate(site, envelope);
        expect(receipt).toMatchObject({ roundId, duplicate: true, submissionsSoFar });
        expect(await snapshotState(domain.db)).toEqual(before);
        expect(await acceptancesOf(roundId, site)).toHaveLength(1);
      };
      const expectConflict = async () => {
        const { error, changedTables } = await refusalOf(domain.db, async () => transport.submitUpdate(site, await statsSubmission(study, site, round)));
        expect(error.code).toBe(ErrorCode.CONFLICT);
        expect(error.message).toBe(`Site "${site.name}" already submitted a different update for round 0`);
        expect(changedTables).toEqual([]);
      };

      it('answers an identical re-send with the original receipt: counted once, audited once, nothing changed', async () => {
        const first = await transport.submitUpdate(site, envelope);
        expect(first).toMatchObject({ roundId, duplicate: false, submissionsSoFar: 1 });
        await expectDuplicate(1);
        expect(await domain.db.select().from(submissions).where(eq(submissions.roundId, roundId))).toHaveLength(1);
        expect((await roundRow(roundId)).submissionCount).toBe(1);
      });

      it('refuses a different second submission from the same site as a CONFLICT', async () => {
        await expectConflict();
      });

      it('still answers the re-send as a duplicate, and a different one as a CONFLICT, once the round is decrypting and once it is complete', async () => {
        for (const other of study.sites.slice(1)) expect(await runPendingTasks(other, transport, study, { kinds: ['stats'] })).toBe(1);
        site.accepted.set(roundId, { vector: site.statsVector(study.spec), parameters: null, numExamples: site.profile.samples });
        expect((await roundRow(roundId)).status).toBe('decrypting');
        await expectDuplicate(3);
        await expectConflict();

        // Only the t = 2 chosen decryptors of the 2-of-3 committee have a decrypt task.
        const { decryptors } = await roundRow(roundId);
        expect(decryptors).toHaveLength(2);
        for (const s of study.sites) expect(await runPendingTasks(s, transport, study, { kinds: ['decrypt'] })).toBe(decryptors.includes(s.siteId) ? 1 : 0);
        expect((await roundRow(roundId)).status).toBe('complete');
        await expectDuplicate(3);
        await expectConflict();

        // The sum had the first site's update exactly once.
        const expected = expectedStatistics(study.spec, contributionsTo(roundId, study.sites));
        expect((await roundRow(roundId)).result).toMatchObject({ totalSamples: expected.totalSamples, contributors: 3 });
      });
    });

    it('answers a re-sent dealing as a duplicate once the ceremony is over, and a different one as WRONG_STATE', async () => {
      // Arrange: the ceremony runs through a transport that keeps each site's dealing envelope.
      const dealings = new Map<string, Uint8Array>();
      const recording: HubTransport = {
        ...transport,
        submitDealing: (s, envelope) => {
          dealings.set(s.siteId, envelope);
          return transport.submitDealing(s, envelope);
        },
      };
      const study = await setUpStudy(domain, recording, { siteCrypto, sites: 3 });
      const [site] = study.sites as [SimulatedSite];
      const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
      expect(row!.status).toBe('running');

      // Act
      const before = await snapshotState(domain.db);
      const receipt = await transport.submitDealing(site, dealings.get(site.siteId)!);
      const other = site.envelope('dealing', study.id, null, [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)]);
      const { error, changedTables } = await refusalOf(domain.db, () => transport.submitDealing(site, other));

      // Assert
      expect(receipt).toMatchObject({ accepted: true, duplicate: true, dealersSoFar: 3 });
      expect(await snapshotState(domain.db)).toEqual(before);
      expect(error.code).toBe(ErrorCode.WRONG_STATE);
      expect(changedTables).toEqual([]);
    });

    it('counts concurrent submissions — including the same one twice — exactly once each, losing none', async () => {
      const study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
      const round = await currentRound(domain, study.id);
      const roundId = round.row.id;
      const envelopes = await Promise.all(study.sites.map((s) => statsSubmission(study, s, round)));
      const [first] = study.sites as [SimulatedSite];

      const receipts = await Promise.all([...study.sites.map((s, i) => transport.submitUpdate(s, envelopes[i]!)), transport.submitUpdate(first, envelopes[0]!)]);
      expect(receipts.filter((r) => !r.duplicate)).toHaveLength(3);
      expect(receipts.filter((r) => r.duplicate)).toHaveLength(1);
      expect(new Set(receipts.filter((r) => !r.duplicate).map((r) => r.submissionsSoFar))).toEqual(new Set([1, 2, 3]));
      expect(await acceptancesOf(roundId, first)).toHaveLength(1);
      expect(await roundRow(roundId)).toMatchObject({ status: 'decrypting', submissionCount: 3 });

      for (const s of study.sites) s.accepted.set(roundId, { vector: s.statsVector(study.spec), parameters: null, numExamples: s.profile.samples });
      await Promise.all(study.sites.map((s) => runPendingTasks(s, transport, study, { kinds: ['decrypt'] })));
      const expected = expectedStatistics(study.spec, contributionsTo(roundId, study.sites));
      const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
      expect(row!.totalSamples).toBe(expected.totalSamples);
      const statistics = row!.statistics as typeof expected;
      // Statistics sums are encrypted at a scale for up to maxTotalSamples (10^6) rows, which leaves
      // them ~10^-3 of absolute noise; a lost or doubled site would move them by whole percents.
      for (const [name, moments] of Object.entries(expected.numeric)) {
        expect(Math.abs(statistics.numeric[name]!.mean - moments.mean)).toBeLessThan(1e-3 * Math.abs(moments.mean));
        expect(Math.abs(statistics.numeric[name]!.std - moments.std)).toBeLessThan(1e-3 * Math.abs(moments.std));
      }
    });
  });
}
