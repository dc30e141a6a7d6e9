import { randomBytes } from 'node:crypto';
import { auditEvents, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { HubCrypto, type DomainContext } from '@consilium/domain';
import {
  createTestHub,
  currentRound,
  refusalOf,
  runPendingTasks,
  setUpStudy,
  SimulatedSite,
  snapshotState,
  testStudySpec,
  type HubTransport,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import type { KeygenTask } from '@consilium/schemas';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport } from './testing/api-transport.ts';

/**
 * Key shares (key ceremony) and decryption shares (n-of-n decryption) through the API: malformed or
 * misdirected shares are refused at upload — with nothing stored — rather than accepted and left to
 * break the ceremony or the decryption when the last share arrives; re-sends are idempotent.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`key and decryption shares on ${target.kind}`, { timeout: 60_000 }, () => {
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

    const expectRefused = async (call: () => Promise<unknown>, code: ErrorCode, message: string) => {
      const { error, changedTables } = await refusalOf(domain.db, call);
      expect(error.code, error.message).toBe(code);
      expect(error.message).toContain(message);
      expect(changedTables).toEqual([]);
    };
    const keygenTask = async (site: SimulatedSite, studyId: string): Promise<KeygenTask> => {
      const task = (await transport.poll(site)).tasks.find((t): t is KeygenTask => t.kind === 'keygen' && t.studyId === studyId);
      if (!task) throw new Error(`no keygen task for ${site.name}`);
      return task;
    };
    const acceptances = async (action: 'site.key_share_accepted' | 'round.decryption_share_accepted', siteId: string, studyId: string) =>
      domain.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.siteId, siteId), eq(auditEvents.studyId, studyId)));

    describe('key shares', () => {
      let study: TestStudy;
      beforeAll(async () => {
        study = await setUpStudy(domain, transport, { siteCrypto, sites: 3, ceremony: false });
      });

      it('refuses a share made for another ceremony (another public seed)', async () => {
        const site = study.sites[0]!;
        const task = await keygenTask(site, study.id);
        const parts = await site.keyShare({ ...task, crpSeed: randomBytes(32).toString('hex') });
        await expectRefused(
          () => transport.submitKeyShare(site, site.envelope('keyshare', study.id, null, parts)),
          ErrorCode.INVALID_CIPHERTEXT,
          'made for another key ceremony',
        );
      });

      it('refuses a truncated share, and a share from a site outside the study', async () => {
        const site = study.sites[0]!;
        const [share] = await site.keyShare(await keygenTask(site, study.id));
        await expectRefused(
          () => transport.submitKeyShare(site, site.envelope('keyshare', study.id, null, [share!.subarray(0, share!.byteLength - 8)])),
          ErrorCode.INVALID_CIPHERTEXT,
          `length is ${share!.byteLength - 8} bytes, expected exactly ${share!.byteLength} (truncated or padded)`,
        );
        const outsider = (await setUpStudy(domain, transport, { siteCrypto, sites: 2, ceremony: false })).sites[0]!;
        await expectRefused(
          () => transport.submitKeyShare(outsider, outsider.envelope('keyshare', study.id, null, [share!])),
          ErrorCode.FORBIDDEN,
          `Site "${outsider.name}" is not part of study`,
        );
      });

      it('refuses a key share for a study without encryption', async () => {
        const plain = await setUpStudy(domain, transport, { siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
        const site = study.sites[0]!;
        const parts = await site.keyShare(await keygenTask(site, study.id));
        const sender = plain.sites[0]!;
        await expectRefused(() => transport.submitKeyShare(sender, sender.envelope('keyshare', plain.id, null, parts)), ErrorCode.WRONG_STATE, 'does not use encryption');
      });

      it('takes a re-sent share once, refuses a different second one, and completes the ceremony with the rest', async () => {
        const [first, second, third] = study.sites as [SimulatedSite, SimulatedSite, SimulatedSite];
        const task = await keygenTask(first, study.id);
        const envelope = first.envelope('keyshare', study.id, null, await first.keyShare(task));
        expect(await transport.submitKeyShare(first, envelope)).toEqual({ accepted: true, duplicate: false, ceremonyComplete: false });

        const before = await snapshotState(domain.db);
        expect(await transport.submitKeyShare(first, envelope)).toEqual({ accepted: true, duplicate: true, ceremonyComplete: false });
        expect(await snapshotState(domain.db)).toEqual(before);
        expect(await acceptances('site.key_share_accepted', first.siteId, study.id)).toHaveLength(1);

        // A share from a fresh secret (an agent that lost its data directory) conflicts.
        const amnesiac = new SimulatedSite({ name: first.name, crypto: siteCrypto, profile: first.profile });
        const otherShare = await amnesiac.keyShare(task);
        await expectRefused(
          () => transport.submitKeyShare(first, first.envelope('keyshare', study.id, null, otherShare)),
          ErrorCode.CONFLICT,
          'already published a different key share',
        );

        for (const site of [second, third]) expect(await runPendingTasks(site, transport, study, { kinds: ['keygen'] })).toBe(1);
        const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
        expect(row!.status).toBe('running');
        expect(await transport.submitKeyShare(first, envelope)).toEqual({ accepted: true, duplicate: true, ceremonyComplete: true });
      });
    });

    describe('decryption shares', () => {
      let study: TestStudy;
      let roundId: string;
      let aggregate: Uint8Array[];
      beforeAll(async () => {
        study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
        roundId = (await currentRound(domain, study.id)).row.id;
      });
      const share = (site: SimulatedSite, parts: Uint8Array[]) => transport.submitDecryptionShare(site, site.envelope('decryption-share', study.id, roundId, parts));

      it('refuses a share while the round is still collecting', async () => {
        const site = study.sites[0]!;
        const round = await currentRound(domain, study.id);
        const ownSubmission = await site.encode(round.encoding, await transport.publicKey(site, study.id), site.statsVector(study.spec));
        const parts = await site.partialDecrypt(study.id, study.spec.privacy.ckks, ownSubmission);
        await expectRefused(() => share(site, parts), ErrorCode.WRONG_STATE, 'Round 0 is not waiting for decryption (status open)');
      });

      it('refuses a share of anything but the sealed aggregate: another ciphertext, the wrong chunk count, truncated bytes', async () => {
        for (const site of study.sites) expect(await runPendingTasks(site, transport, study, { kinds: ['stats'] })).toBe(1);
        aggregate = await transport.aggregate(study.sites[0]!, roundId);
        const site = study.sites[0]!;
        const round = await currentRound(domain, study.id);
        expect(round.row.status).toBe('decrypting');

        // Asked to decrypt one site's ciphertext instead of the sum: the hub must not collect that.
        const single = await site.encode(round.encoding, await transport.publicKey(site, study.id), site.statsVector(study.spec));
        const oracle = await site.partialDecrypt(study.id, study.spec.privacy.ckks, single);
        await expectRefused(() => share(site, oracle), ErrorCode.INVALID_CIPHERTEXT, 'Chunk 0: decryption share was computed for a different aggregate');

        const parts = await site.partialDecrypt(study.id, study.spec.privacy.ckks, aggregate);
        await expectRefused(() => share(site, [...parts, ...parts]), ErrorCode.INVALID_INPUT, 'Round 0 has 1 chunk(s); the decryption share has 2');
        const whole = parts[0]!;
        await expectRefused(
          () => share(site, [whole.subarray(0, whole.byteLength - 8)]),
          ErrorCode.INVALID_CIPHERTEXT,
          `Chunk 0: decryption share: length is ${whole.byteLength - 8} bytes, expected exactly ${whole.byteLength}`,
        );
      });

      it('refuses a share from a site that holds no key share for the round', async () => {
        const outsider = (await setUpStudy(domain, transport, { siteCrypto, sites: 2 })).sites[0]!;
        const parts = await study.sites[0]!.partialDecrypt(study.id, study.spec.privacy.ckks, aggregate);
        await expectRefused(
          () => transport.submitDecryptionShare(outsider, outsider.envelope('decryption-share', study.id, roundId, parts)),
          ErrorCode.FORBIDDEN,
          `Site "${outsider.name}" is not a participant of round 0`,
        );
      });

      it('takes a re-sent share once, refuses a different second one, and decrypts with the rest', async () => {
        const [first, ...rest] = study.sites as [SimulatedSite, ...SimulatedSite[]];
        const parts = await first.partialDecrypt(study.id, study.spec.privacy.ckks, aggregate);
        expect(await share(first, parts)).toEqual({ roundId, duplicate: false, sharesSoFar: 1, roundComplete: false });

        const before = await snapshotState(domain.db);
        expect(await share(first, parts)).toEqual({ roundId, duplicate: true, sharesSoFar: 1, roundComplete: false });
        expect(await snapshotState(domain.db)).toEqual(before);
        // A new partial decryption carries new smudging noise: different bytes, so a conflict.
        const again = await first.partialDecrypt(study.id, study.spec.privacy.ckks, aggregate);
        await expectRefused(() => share(first, again), ErrorCode.CONFLICT, 'already returned a different decryption share');

        for (const site of rest) expect(await runPendingTasks(site, transport, study, { kinds: ['decrypt'] })).toBe(1);
        expect((await currentRound(domain, study.id)).row.kind).toBe('train');
        expect(await share(first, parts)).toEqual({ roundId, duplicate: true, sharesSoFar: 3, roundComplete: true });
        expect(await acceptances('round.decryption_share_accepted', first.siteId, study.id)).toHaveLength(1);
      });
    });
  });
}
