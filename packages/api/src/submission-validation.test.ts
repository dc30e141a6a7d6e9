import { randomBytes } from 'node:crypto';
import { protocolViolations, rounds } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { HubCrypto, type DomainContext } from '@consilium/domain';
import {
  createTestHub,
  currentRound,
  refusalOf,
  setUpStudy,
  testStudySpec,
  type HubTransport,
  type SimulatedSite,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import type { VectorEncoding } from '@consilium/schemas';
import {
  combinePublicKeyShares,
  createPublicKeyShare,
  encryptVector,
  expandCiphertext,
  generateSecretShare,
  packCiphertext,
  wireCiphertextBytes,
  type CkksContext,
} from '@consilium/secagg';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport } from './testing/api-transport.ts';

/**
 * Submissions that are correctly signed requests but wrong in content, sent through the API: each is
 * refused with the domain error code and a message naming the problem, and leaves every state table
 * (submissions, round_chunks, rounds, audit log, …) exactly as it was. A well-formed submission is
 * accepted at the end, so each refusal is the flaw's doing, not a closed round's.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`submission validation on ${target.kind}`, { timeout: 60_000 }, () => {
    let hub: TestHub;
    let domain: DomainContext;
    let siteCrypto: HubCrypto;
    let transport: HubTransport;
    /** The study the bad submissions target, in its (encrypted) statistics round. */
    let study: TestStudy;
    /** Another study, also in its statistics round. */
    let other: TestStudy;
    let roundId: string;
    let encoding: Extract<VectorEncoding, { scheme: 'ckks-multiparty' }>;
    let publicKey: Uint8Array;
    let context: CkksContext;
    let site: SimulatedSite;
    /** The site's well-formed ciphertexts for the round. */
    let parts: Uint8Array[];

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      siteCrypto = new HubCrypto();
      transport = apiTransport(domain);
      study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
      other = await setUpStudy(domain, transport, { siteCrypto, sites: 2 });
      const round = await currentRound(domain, study.id);
      if (round.encoding.scheme !== 'ckks-multiparty') throw new Error('expected an encrypted round');
      roundId = round.row.id;
      encoding = round.encoding;
      site = study.sites[0]!;
      publicKey = await transport.publicKey(site, study.id);
      context = await siteCrypto.context(encoding.ckks);
      parts = await site.encode(encoding, publicKey, site.statsVector(study.spec));
    }, 60_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    /**
     * `recorded`: a signed update that is not a valid one for the round is proof of misconduct, so
     * the hub records it (protocol_violations, audited) while refusing it; nothing else changes.
     */
    async function expectRefused(from: SimulatedSite, envelope: Uint8Array, code: ErrorCode, message: string, recorded: 'nothing' | 'violation' = 'nothing'): Promise<void> {
      const earlier = new Set((await domain.db.select({ id: protocolViolations.id }).from(protocolViolations)).map((v) => v.id));
      const { error, changedTables } = await refusalOf(domain.db, () => transport.submitUpdate(from, envelope));
      expect(error.code, error.message).toBe(code);
      expect(error.message).toContain(message);
      if (recorded === 'nothing') {
        expect(changedTables).toEqual([]);
        return;
      }
      expect([...changedTables].sort()).toEqual(['audit_events', 'audit_head', 'protocol_violations']);
      const recordedNow = (await domain.db.select().from(protocolViolations)).filter((v) => !earlier.has(v.id));
      expect(recordedNow).toEqual([expect.objectContaining({ siteId: from.siteId, reason: 'invalid-ciphertext', detail: expect.stringContaining(message) })]);
    }
    const submission = (chunks: Uint8Array[], from = site) => from.envelope('submission', study.id, roundId, chunks);

    describe('who and where', () => {
      it("refuses a submission naming another study's round", async () => {
        const otherRound = await currentRound(domain, other.id);
        await expectRefused(site, site.envelope('submission', study.id, otherRound.row.id, parts), ErrorCode.INVALID_INPUT, `does not belong to study ${study.id}`);
      });

      it('refuses a submission from a site that is not in the study', async () => {
        const outsider = other.sites[0]!;
        const chunks = await outsider.encode(encoding, publicKey, outsider.statsVector(study.spec));
        await expectRefused(outsider, submission(chunks, outsider), ErrorCode.FORBIDDEN, `Site "${outsider.name}" is not a participant of round 0`);
      });

      it('refuses a submission for a round the site is not a participant of', async () => {
        // Participants are fixed when a round opens; a study member left out of one (here by editing
        // the round) must not get in.
        const [round] = await domain.db.select().from(rounds).where(eq(rounds.id, roundId));
        const member = study.sites[2]!;
        await domain.db.update(rounds).set({ participants: round!.participants.filter((id) => id !== member.siteId) }).where(eq(rounds.id, roundId));
        try {
          const chunks = await member.encode(encoding, publicKey, member.statsVector(study.spec));
          await expectRefused(member, submission(chunks, member), ErrorCode.FORBIDDEN, `Site "${member.name}" is not a participant of round 0`);
        } finally {
          await domain.db.update(rounds).set({ participants: round!.participants }).where(eq(rounds.id, roundId));
        }
      });
    });

    describe('ciphertexts', () => {
      it('refuses a ciphertext at another scale', async () => {
        const scaleBits = encoding.scaleBits - 1;
        const chunks = encryptVector(context, publicKey, site.statsVector(study.spec), scaleBits).map((c) => packCiphertext(context, c, scaleBits));
        await expectRefused(site, submission(chunks), ErrorCode.INVALID_CIPHERTEXT, `Chunk 0: ciphertext: scale 2^${scaleBits}, expected exactly 2^${encoding.scaleBits}`, 'violation');
      });

      it("refuses a ciphertext made under other CKKS parameters, and one in SEAL's own serialization", async () => {
        // A 50-bit data prime instead of 60: the wire format packs each coefficient in its prime's
        // bits, so the size alone tells the parameters apart.
        expect(encoding.ckks.coeffModulusBits[0]).not.toBe(50);
        const foreign = await siteCrypto.context({ ...encoding.ckks, coeffModulusBits: [50, encoding.ckks.coeffModulusBits.at(-1)!] });
        const seed = randomBytes(32);
        const secrets = [generateSecretShare(foreign), generateSecretShare(foreign)];
        const foreignKey = combinePublicKeyShares(foreign, seed, secrets.map((s) => createPublicKeyShare(foreign, s, seed)));
        const chunks = encryptVector(foreign, foreignKey, site.statsVector(study.spec), encoding.scaleBits).map((c) => packCiphertext(foreign, c, encoding.scaleBits));
        const expected = wireCiphertextBytes(context);
        expect(parts[0]!.byteLength).toBe(expected);
        expect(chunks[0]!.byteLength).toBeLessThan(expected);
        await expectRefused(
          site,
          submission(chunks),
          ErrorCode.INVALID_CIPHERTEXT,
          `Chunk 0: ciphertext: expected ${expected} bytes in the wire format for this study's parameters, got ${chunks[0]!.byteLength}`, 'violation');
        // The study's parameters, but SEAL's serialization instead of the wire format: refused too.
        const seal = encryptVector(context, publicKey, site.statsVector(study.spec), encoding.scaleBits);
        await expectRefused(site, submission(seal), ErrorCode.INVALID_CIPHERTEXT, `Chunk 0: ciphertext: expected ${expected} bytes in the wire format for this study's parameters, got ${seal[0]!.byteLength}`, 'violation');
      });

      it('refuses a truncated and an extended ciphertext', async () => {
        const chunk = parts[0]!;
        const truncated = chunk.subarray(0, chunk.byteLength - 8);
        await expectRefused(site, submission([truncated]), ErrorCode.INVALID_CIPHERTEXT, `expected ${chunk.byteLength} bytes in the wire format for this study's parameters, got ${truncated.byteLength}`, 'violation');
        const extended = new Uint8Array(chunk.byteLength + 8);
        extended.set(chunk);
        await expectRefused(site, submission([extended]), ErrorCode.INVALID_CIPHERTEXT, `expected ${chunk.byteLength} bytes in the wire format for this study's parameters, got ${extended.byteLength}`, 'violation');
      });

      it('refuses a ciphertext with a coefficient not below its prime', async () => {
        // The first coefficient set to q itself, the smallest value out of range. The wire format
        // packs a 60-bit coefficient as 32 low bits, then 28 high bits, right after its 8-byte header.
        const q = context.dataModuli[0]!;
        expect(q >> 59n).toBe(1n);
        const patched = parts[0]!.slice();
        const view = new DataView(patched.buffer, patched.byteOffset, patched.byteLength);
        view.setUint32(8, Number(q & 0xffffffffn), true);
        view.setUint32(12, ((view.getUint32(12, true) & 0xf0000000) | Number(q >> 32n)) >>> 0, true);
        await expectRefused(site, submission([patched]), ErrorCode.INVALID_CIPHERTEXT, `Chunk 0: ciphertext: coefficient 0 is not below its prime ${q}`, 'violation');
        // One less is a valid coefficient: the same upload with q − 1 gets past that check.
        view.setUint32(8, Number((q - 1n) & 0xffffffffn), true);
        expect(() => expandCiphertext(context, patched, { scaleBits: encoding.scaleBits })).not.toThrow();
      });

      it('refuses the wrong number of chunks', async () => {
        expect(encoding.chunkCount).toBe(1);
        await expectRefused(site, submission([parts[0]!, parts[0]!]), ErrorCode.INVALID_INPUT, 'Round 0 has 1 chunk(s); the submission has 2');
        await expectRefused(site, submission([]), ErrorCode.INVALID_INPUT, 'Round 0 has 1 chunk(s); the submission has 0');
      });
    });

    describe('envelopes and payload signatures', () => {
      it('refuses a payload that does not match the hash in its header', async () => {
        const altered = parts[0]!.slice();
        altered[altered.length - 1] = altered[altered.length - 1]! ^ 0x01;
        const envelope = site.envelope('submission', study.id, roundId, [altered], { declaredSha256: sha256Hex(parts) });
        await expectRefused(site, envelope, ErrorCode.INVALID_INPUT, 'does not match its declared SHA-256');
      });

      it('refuses a submission whose payload signature was made for a key share', async () => {
        const envelope = site.envelope('submission', study.id, roundId, parts, { purpose: 'keyshare' });
        await expectRefused(site, envelope, ErrorCode.INVALID_SIGNATURE, `The signature of the submission payload of site ${site.siteId}`);
      });

      it("refuses a payload signed with another site's key", async () => {
        const envelope = site.envelope('submission', study.id, roundId, parts, { privateKeyPem: study.sites[1]!.identity.privateKeyPem });
        await expectRefused(site, envelope, ErrorCode.INVALID_SIGNATURE, 'does not verify');
      });

      it('refuses another kind of upload, and bytes that are not an envelope', async () => {
        await expectRefused(site, site.envelope('keyshare', study.id, roundId, parts), ErrorCode.INVALID_INPUT, 'Expected a submission upload, got a keyshare');
        await expectRefused(site, parts[0]!, ErrorCode.INVALID_INPUT, 'Not a Consilium envelope');
      });
    });

    describe('plaintext studies', () => {
      it('refuses a vector of the wrong length, with a value that is not finite, or beyond the round\'s bound', async () => {
        const plain = await setUpStudy(domain, transport, { siteCrypto, sites: 2, spec: testStudySpec({ encrypted: false }) });
        const round = await currentRound(domain, plain.id);
        const sender = plain.sites[0]!;
        const vector = sender.statsVector(plain.spec);
        const send = (values: Float64Array) => sender.envelope('submission', plain.id, round.row.id, [new Uint8Array(values.slice().buffer)]);
        await expectRefused(sender, send(vector.subarray(1)), ErrorCode.INVALID_INPUT, `Plaintext update must be ${vector.length} float64 values`, 'violation');
        const poisoned = vector.slice();
        poisoned[3] = Number.NaN;
        await expectRefused(sender, send(poisoned), ErrorCode.INVALID_INPUT, 'Plaintext update value 3 (NaN) is not a number within ±', 'violation');
        // Two sites sending ±1e308 would overflow the running sum; the round's public bound stops it.
        poisoned[3] = 1e308;
        await expectRefused(sender, send(poisoned), ErrorCode.INVALID_INPUT, `Plaintext update value 3 (1e+308) is not a number within ±${plain.spec.federation.maxTotalSamples}`, 'violation');
        expect(await transport.submitUpdate(sender, send(vector))).toMatchObject({ duplicate: false, submissionsSoFar: 1 });
      });
    });

    describe('timing', () => {
      it('accepts the well-formed submission while the round is open…', async () => {
        expect(await transport.submitUpdate(site, submission(parts))).toMatchObject({ roundId, duplicate: false, submissionsSoFar: 1 });
      });

      it('…and refuses one that arrives after the deadline, before the hub has closed the round', async () => {
        const late = study.sites[1]!;
        const chunks = await late.encode(encoding, publicKey, late.statsVector(study.spec));
        const round = await currentRound(domain, study.id);
        hub.clock.passTo(round.row.deadlineAt);
        await expectRefused(late, submission(chunks, late), ErrorCode.WRONG_STATE, `Round 0 closed at its deadline ${round.row.deadlineAt.toISOString()}`);
      });
    });
  });
}
