import { randomBytes } from 'node:crypto';
import { auditEvents, rounds, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { HubCrypto, type DomainContext } from '@consilium/domain';
import {
  createTestHub,
  currentRound,
  refusalOf,
  runCeremony,
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
import { decodeEnvelope, sha256Hex } from '@consilium/protocol';
import type { DecryptTask, KeygenTask } from '@consilium/schemas';
import { expandCiphertext, partialDecrypt, type CkksContext } from '@consilium/secagg';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport } from './testing/api-transport.ts';

/**
 * Key-ceremony uploads (public-key shares, dealings) and decryption shares (t-of-n threshold
 * decryption) through the API: malformed or misdirected uploads are refused at upload — with
 * nothing stored — rather than accepted and left to break the ceremony or the decryption when the
 * last one arrives. A decryption share is taken only from one of the t decryptors of the current
 * attempt, and only when it was computed for exactly the sealed aggregate and that decryptor set.
 * Re-sends are idempotent; a different second upload is a conflict.
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
    const keygenTask = async (site: SimulatedSite, studyId: string, stage: KeygenTask['stage'] = 'share'): Promise<KeygenTask> => {
      const task = (await transport.poll(site)).tasks.find((t): t is KeygenTask => t.kind === 'keygen' && t.studyId === studyId);
      if (!task) throw new Error(`no keygen task for ${site.name}`);
      expect(task.stage).toBe(stage);
      return task;
    };
    const acceptances = async (action: 'site.key_share_accepted' | 'site.shares_dealt' | 'round.decryption_share_accepted', siteId: string, studyId: string) =>
      domain.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.siteId, siteId), eq(auditEvents.studyId, studyId)));
    const studyRow = async (studyId: string) => (await domain.db.select().from(studies).where(eq(studies.id, studyId)))[0]!;

    describe('key shares', () => {
      let study: TestStudy;
      /** The first site's accepted key-share upload, re-sent once the ceremony is over. */
      let firstKeyShare: Uint8Array;
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

      it('refuses a truncated share, a share without its box key, and a share from a site outside the study', async () => {
        const site = study.sites[0]!;
        const [share, boxKey] = await site.keyShare(await keygenTask(site, study.id));
        await expectRefused(
          () => transport.submitKeyShare(site, site.envelope('keyshare', study.id, null, [share!.subarray(0, share!.byteLength - 8), boxKey!])),
          ErrorCode.INVALID_CIPHERTEXT,
          `length is ${share!.byteLength - 8} bytes, expected exactly ${share!.byteLength} (truncated or padded)`,
        );
        await expectRefused(
          () => transport.submitKeyShare(site, site.envelope('keyshare', study.id, null, [share!])),
          ErrorCode.INVALID_INPUT,
          'carries two parts: the public-key share, then the 32-byte box public key',
        );
        await expectRefused(
          () => transport.submitKeyShare(site, site.envelope('keyshare', study.id, null, [share!, boxKey!.subarray(1)])),
          ErrorCode.INVALID_INPUT,
          'The box public key must be 32 bytes (raw X25519); got 31',
        );
        const outsider = (await setUpStudy(domain, transport, { siteCrypto, sites: 2, ceremony: false })).sites[0]!;
        await expectRefused(
          () => transport.submitKeyShare(outsider, outsider.envelope('keyshare', study.id, null, [share!, boxKey!])),
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

      it('takes a re-sent share once and refuses a different second one; dealing waits for every share', async () => {
        const [first, second, third] = study.sites as [SimulatedSite, SimulatedSite, SimulatedSite];
        const task = await keygenTask(first, study.id);
        const envelope = first.envelope('keyshare', study.id, null, await first.keyShare(task));
        firstKeyShare = envelope;
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

        // Nothing to deal yet (no collective key): a dealing now is refused, and the site has no deal task.
        const early = [0, 1, 2].map(() => new Uint8Array(randomBytes(64)));
        await expectRefused(
          () => transport.submitDealing(first, first.envelope('dealing', study.id, null, early)),
          ErrorCode.WRONG_STATE,
          'is still collecting public-key shares',
        );
        expect((await transport.poll(first)).tasks.filter((t) => t.studyId === study.id)).toEqual([]);

        for (const site of [second, third]) expect(await runPendingTasks(site, transport, study, { kinds: ['keygen'] })).toBe(1);
        expect((await studyRow(study.id)).status).toBe('keygen');
        expect((await studyRow(study.id)).publicKey).not.toBeNull();
        expect(await transport.submitKeyShare(first, envelope)).toEqual({ accepted: true, duplicate: true, ceremonyComplete: false });
      });

      it('refuses a dealing with the wrong number of sealed shares, and one from a site off the committee', async () => {
        const first = study.sites[0]!;
        const task = await keygenTask(first, study.id, 'deal');
        const parts = await first.deal(task, await transport.keyShares(first, study.id));
        expect(parts).toHaveLength(3);
        await expectRefused(
          () => transport.submitDealing(first, first.envelope('dealing', study.id, null, parts.slice(0, 2))),
          ErrorCode.INVALID_INPUT,
          'A dealing carries one sealed share per committee member (3); got 2',
        );
        const outsider = (await setUpStudy(domain, transport, { siteCrypto, sites: 2, ceremony: false })).sites[0]!;
        await expectRefused(
          () => transport.submitDealing(outsider, outsider.envelope('dealing', study.id, null, parts)),
          ErrorCode.FORBIDDEN,
          `Site "${outsider.name}" is not on the decryption committee`,
        );
      });

      it('takes a re-sent dealing once, refuses a different second one, and completes the ceremony with the rest', async () => {
        const first = study.sites[0]!;
        const task = await keygenTask(first, study.id, 'deal');
        const envelope = first.envelope('dealing', study.id, null, await first.deal(task, await transport.keyShares(first, study.id)));
        expect(await transport.submitDealing(first, envelope)).toEqual({ accepted: true, duplicate: false, dealersSoFar: 1 });

        const before = await snapshotState(domain.db);
        expect(await transport.submitDealing(first, envelope)).toEqual({ accepted: true, duplicate: true, dealersSoFar: 1 });
        expect(await snapshotState(domain.db)).toEqual(before);
        expect(await acceptances('site.shares_dealt', first.siteId, study.id)).toHaveLength(1);

        // Dealing again draws a new polynomial: other shares, which must not replace those dealt.
        const again = await first.deal(task, await transport.keyShares(first, study.id));
        await expectRefused(() => transport.submitDealing(first, first.envelope('dealing', study.id, null, again)), ErrorCode.CONFLICT, 'already dealt its shares');

        await runCeremony(study.sites, transport, study);
        const row = await studyRow(study.id);
        expect(row.status).toBe('running');
        expect(await acceptances('site.shares_dealt', first.siteId, study.id)).toHaveLength(1);
        expect(await transport.submitKeyShare(first, firstKeyShare)).toEqual({ accepted: true, duplicate: true, ceremonyComplete: true });
      });
    });

    describe('decryption shares', () => {
      let study: TestStudy;
      let context: CkksContext;
      let roundId: string;
      /** The committee in point order (point = position + 1). */
      let committee: string[];
      /** The t sites asked to decrypt round 0, and the one that is not. */
      let decryptors: SimulatedSite[];
      let bystander: SimulatedSite;
      /** The sealed aggregate's chunks, as a decryptor downloads them. */
      let aggregate: Uint8Array[];
      beforeAll(async () => {
        study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
        context = await siteCrypto.context(study.spec.privacy.ckks);
        roundId = (await currentRound(domain, study.id)).row.id;
        const row = await studyRow(study.id);
        committee = row.committee!;
        expect([...committee].sort()).toEqual(study.sites.map((s) => s.siteId).sort());
        expect(row.threshold).toBe(2);
      });
      const share = (site: SimulatedSite, parts: Uint8Array[]) => transport.submitDecryptionShare(site, site.envelope('decryption-share', study.id, roundId, parts));
      const pointOf = (site: SimulatedSite) => committee.indexOf(site.siteId) + 1;
      /**
       * A member's partial decryption of `chunks` for the decryptor set `set`, computed straight
       * from its threshold key share, without the agent's checks: what a faulty or compromised agent
       * could send.
       */
      const rawShares = (site: SimulatedSite, chunks: readonly Uint8Array[], set: readonly SimulatedSite[]) =>
        chunks.map((chunk) => partialDecrypt(context, site.thresholdKeyShare(study.id), chunk, { self: pointOf(site), decryptors: set.map(pointOf) }));
      const decryptTask = async (site: SimulatedSite): Promise<DecryptTask | undefined> =>
        (await transport.poll(site)).tasks.find((t): t is DecryptTask => t.kind === 'decrypt' && t.roundId === roundId);
      /** A site's own encrypted statistics, as SEAL ciphertexts (what the hub adds, once it has expanded the upload's wire format). */
      const ownCiphertext = async (site: SimulatedSite) => {
        const { encoding } = await currentRound(domain, study.id);
        if (encoding.scheme !== 'ckks-multiparty') throw new Error('an encrypted round was expected');
        const wire = await site.encode(encoding, await transport.publicKey(site, study.id), site.statsVector(study.spec));
        return wire.map((chunk) => expandCiphertext(context, chunk, { scaleBits: encoding.scaleBits }));
      };

      it('refuses a share while the round is still collecting', async () => {
        const site = study.sites[0]!;
        const parts = rawShares(site, await ownCiphertext(site), study.sites.slice(0, 2));
        await expectRefused(() => share(site, parts), ErrorCode.WRONG_STATE, 'Round 0 is not waiting for decryption (status open)');
      });

      it('asks t committee members to decrypt the sealed round: only they get the task, the aggregate and the submissions', async () => {
        for (const site of study.sites) expect(await runPendingTasks(site, transport, study, { kinds: ['stats'] })).toBe(1);
        const round = await currentRound(domain, study.id);
        expect(round.row).toMatchObject({ id: roundId, status: 'decrypting', decryptAttempt: 1 });
        expect(round.row.decryptors).toHaveLength(2);
        decryptors = study.sites.filter((s) => round.row.decryptors.includes(s.siteId));
        bystander = study.sites.find((s) => !round.row.decryptors.includes(s.siteId))!;
        expect(decryptors).toHaveLength(2);

        for (const site of decryptors) {
          const task = await decryptTask(site);
          expect(task).toMatchObject({ attempt: 1, aggregateHash: round.row.aggregateHash, minSubmissions: study.spec.federation.minSitesPerRound });
          expect(task!.decryptors).toEqual(round.row.decryptors.map((siteId) => ({ siteId, point: committee.indexOf(siteId) + 1 })));
        }
        expect(await decryptTask(bystander)).toBeUndefined();

        aggregate = decodeEnvelope(await transport.aggregate(decryptors[0]!, roundId), ENVELOPE_LIMITS).parts;
        expect(aggregate).toHaveLength(round.encoding.chunkCount);
        expect(sha256Hex(aggregate)).toBe(round.row.aggregateHash);
        const listed = decodeEnvelope(await transport.submissions(decryptors[0]!, roundId), ENVELOPE_LIMITS);
        expect(listed.parts).toHaveLength(3 * round.encoding.chunkCount);
        for (const download of [() => transport.aggregate(bystander, roundId), () => transport.submissions(bystander, roundId)]) {
          await expectRefused(download, ErrorCode.FORBIDDEN, `Site "${bystander.name}" is not asked to decrypt round 0`);
        }
      });

      it('refuses a share of anything but the sealed aggregate: another ciphertext, the wrong chunk count, truncated bytes', async () => {
        const site = decryptors[0]!;
        // Asked to decrypt one site's ciphertext instead of the sum: the hub must not collect that.
        const oracle = rawShares(site, await ownCiphertext(site), decryptors);
        await expectRefused(() => share(site, oracle), ErrorCode.INVALID_CIPHERTEXT, 'Chunk 0: decryption share was computed for a different aggregate ciphertext or decryptor set');

        const parts = rawShares(site, aggregate, decryptors);
        await expectRefused(() => share(site, [...parts, ...parts]), ErrorCode.INVALID_INPUT, 'Round 0 has 1 chunk(s); the decryption share has 2');
        const whole = parts[0]!;
        await expectRefused(
          () => share(site, [whole.subarray(0, whole.byteLength - 8)]),
          ErrorCode.INVALID_CIPHERTEXT,
          `Chunk 0: decryption share: length is ${whole.byteLength - 8} bytes, expected exactly ${whole.byteLength}`,
        );
      });

      it('refuses a share of the aggregate computed for another decryptor set', async () => {
        const site = decryptors[0]!;
        // Its Lagrange coefficient for another set: summed with the others' it would decode to garbage.
        for (const set of [[site, bystander], study.sites, [bystander, site]]) {
          await expectRefused(
            () => share(site, rawShares(site, aggregate, set)),
            ErrorCode.INVALID_CIPHERTEXT,
            'Chunk 0: decryption share was computed for a different aggregate ciphertext or decryptor set',
          );
        }
      });

      it('refuses a share from a committee member not among the decryptors, and from a site outside the study', async () => {
        await expectRefused(
          () => share(bystander, rawShares(bystander, aggregate, [bystander, decryptors[1]!])),
          ErrorCode.FORBIDDEN,
          `Site "${bystander.name}" is not among the decryptors of round 0's attempt 1`,
        );
        const outsider = (await setUpStudy(domain, transport, { siteCrypto, sites: 2 })).sites[0]!;
        const parts = rawShares(decryptors[0]!, aggregate, decryptors);
        await expectRefused(
          () => transport.submitDecryptionShare(outsider, outsider.envelope('decryption-share', study.id, roundId, parts)),
          ErrorCode.FORBIDDEN,
          `Site "${outsider.name}" is not among the decryptors of round 0's attempt 1`,
        );
      });

      it('takes a re-sent share once, refuses a different second one, and decrypts with the t shares', async () => {
        const [first, second] = decryptors as [SimulatedSite, SimulatedSite];
        const task = (await decryptTask(first))!;
        // Through the agent's checks: the aggregate is the sum of the round's signed submissions.
        const parts = await first.partialDecrypt(task, study.spec.privacy.ckks, await transport.aggregate(first, roundId), await transport.submissions(first, roundId));
        expect(await share(first, parts)).toEqual({ roundId, duplicate: false, sharesSoFar: 1, roundComplete: false });

        const before = await snapshotState(domain.db);
        expect(await share(first, parts)).toEqual({ roundId, duplicate: true, sharesSoFar: 1, roundComplete: false });
        expect(await snapshotState(domain.db)).toEqual(before);
        // A new partial decryption carries new smudging noise: different bytes, so a conflict.
        await expectRefused(() => share(first, rawShares(first, aggregate, decryptors)), ErrorCode.CONFLICT, 'already returned a different decryption share for round 0 (attempt 1)');
        expect(await decryptTask(first)).toBeUndefined();

        // The bystander is never needed; the second decryptor completes the round.
        expect(await runPendingTasks(bystander, transport, study, { kinds: ['decrypt'] })).toBe(0);
        expect(await runPendingTasks(second, transport, study, { kinds: ['decrypt'] })).toBe(1);
        const [done] = await domain.db.select().from(rounds).where(eq(rounds.id, roundId));
        expect(done).toMatchObject({ status: 'complete', shareCount: 2, decryptAttempt: 1 });
        expect((await currentRound(domain, study.id)).row.kind).toBe('train');
        expect(await share(first, parts)).toEqual({ roundId, duplicate: true, sharesSoFar: 2, roundComplete: true });
        expect(await acceptances('round.decryption_share_accepted', first.siteId, study.id)).toHaveLength(1);
        expect(await acceptances('round.decryption_share_accepted', bystander.siteId, study.id)).toEqual([]);
        expect(study.sites.flatMap((s) => s.refusals)).toEqual([]);
      });
    });
  });
}

/** Generous limits for reading the hub's downloads in a test. */
const ENVELOPE_LIMITS = { maxHeaderBytes: 16 * 1024 * 1024, maxParts: 100_000, maxPartBytes: 64 * 1024 * 1024, maxTotalBytes: 2 ** 32 };
