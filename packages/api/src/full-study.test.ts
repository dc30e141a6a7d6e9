import { auditEvents, decryptionShares, modelVersions, roundChunks, rounds, studies, studySites, submissions, type Executor } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, HubCrypto, verifyAuditChain, type DomainContext } from '@consilium/domain';
import {
  AUDIT_TABLES,
  SimulatedSite,
  siteProfiles,
  changedTables,
  contributionsTo,
  createTestHub,
  driveStudy,
  expectedFedAvg,
  findBytesInDatabase,
  maxAbsDifference,
  snapshotState,
  sumOf,
  testStudySpec,
  type HubTransport,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { addDecryptionShares, buildPlaintext, decodeAggregate, expandCrp, parsePublicKey, parseShare, partialDecrypt, rnsLevels, ShareKind } from '@consilium/secagg';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport, callerFor, unsignedRequest } from './testing/api-transport.ts';

/**
 * A complete encrypted study — 3 sites, key ceremony, statistics round, 2 training rounds — driven
 * through the API by simulated sites that sign, encrypt and partially decrypt for real. Recorded
 * along the way: which tables every call changed, and the hub's stored state at the moments it
 * holds the most (an accumulator of one submission; an aggregate with all but one decryption share).
 *
 * Then: the published models are the weighted FedAvg of the sites' parameters (≤ 1e-6); every state
 * change was audited and the audit chain verifies (and catches an edit); and nothing the hub
 * stores — no column of any table, at any step — contains a site's secret share, nor decrypts the
 * aggregate or a single submission.
 */
const TRAINING_ROUNDS = 2;

/** The hub's stored state of one round at a moment of interest, read straight from the database. */
interface StoredRound {
  roundId: string;
  accumulator: Uint8Array;
  shareSum: Uint8Array | null;
  /** Key holders whose partial decryption is already summed into shareSum. */
  answered: string[];
  /** Sites whose submission is already in the accumulator. */
  submitted: string[];
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`a complete encrypted study through the API on ${target.kind}`, { timeout: 120_000 }, () => {
    let hub: TestHub;
    let domain: DomainContext;
    let siteCrypto: HubCrypto;
    let adminToken: string;
    let study: TestStudy;
    /** Every call the study made, with the state tables it changed. */
    const calls: Array<{ call: string; changed: string[] }> = [];
    /** Secret-share findings of the scans run after every upload. */
    const secretFindings: string[] = [];
    let scans = 0;
    /** Per round: the accumulator right after its first submission (= that site's ciphertext). */
    const afterFirstSubmission = new Map<string, StoredRound>();
    /** Per round: accumulator and share sum when all key holders but one had answered. */
    const allButOneShare = new Map<string, StoredRound>();

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      siteCrypto = new HubCrypto();
      ({ token: adminToken } = await createAdminToken(domain, { label: 'study lead', actor: 'test' }));
      let last = await snapshotState(domain.db);
      const record = async <T>(call: string, run: () => Promise<T>): Promise<T> => {
        const result = await run();
        const now = await snapshotState(domain.db);
        calls.push({ call, changed: changedTables(last, now) });
        last = now;
        return result;
      };
      const api = observe(apiTransport(domain), record, async (kind) => {
        if (kind === 'submitUpdate') await captureFirstSubmission();
        if (kind === 'submitDecryptionShare') await captureAllButOneShare();
        await scanForSecrets();
      });

      // The study lead, through the admin API.
      const spec = testStudySpec({ trainingRounds: TRAINING_ROUNDS });
      const { studyId } = await record('studies.create', () => admin().studies.create({ spec }));
      const profiles = siteProfiles(3);
      const tokens = [];
      for (const i of profiles.keys()) tokens.push(await record('studies.issueToken', () => admin().studies.issueToken({ studyId, siteName: `Hospital ${i + 1}` })));
      // The last enrolment completes the invitation list and starts the study (auto-start).
      const sites: SimulatedSite[] = [];
      for (const [i, issued] of tokens.entries()) {
        const site = new SimulatedSite({ name: issued.siteName, crypto: siteCrypto, profile: profiles[i]! });
        site.siteId = (await api.enroll(site, issued.token)).siteId;
        sites.push(site);
      }
      study = { id: studyId, spec, sites };
      // The sites, as agents: poll, do what they are told, until nothing is left.
      await driveStudy(sites, api, study);
    }, 120_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    function admin() {
      return callerFor(domain, unsignedRequest({ method: 'POST', path: '/trpc/admin', headers: { authorization: `Bearer ${adminToken}` } }));
    }

    async function captureFirstSubmission(): Promise<void> {
      for (const round of await domain.db.select().from(rounds).where(eq(rounds.submissionCount, 1))) {
        if (afterFirstSubmission.has(round.id)) continue;
        const [chunk] = await domain.db.select().from(roundChunks).where(eq(roundChunks.roundId, round.id));
        const submitted = await domain.db.select({ siteId: submissions.siteId }).from(submissions).where(eq(submissions.roundId, round.id));
        afterFirstSubmission.set(round.id, { roundId: round.id, accumulator: chunk!.accumulator, shareSum: null, answered: [], submitted: submitted.map((s) => s.siteId) });
      }
    }

    async function captureAllButOneShare(): Promise<void> {
      for (const round of await domain.db.select().from(rounds).where(eq(rounds.status, 'decrypting'))) {
        if (round.shareCount !== round.participants.length - 1) continue;
        const [chunk] = await domain.db.select().from(roundChunks).where(eq(roundChunks.roundId, round.id));
        const answered = await domain.db.select({ siteId: decryptionShares.siteId }).from(decryptionShares).where(eq(decryptionShares.roundId, round.id));
        allButOneShare.set(round.id, {
          roundId: round.id,
          accumulator: chunk!.accumulator,
          shareSum: chunk!.shareSum,
          answered: answered.map((a) => a.siteId),
          submitted: round.participants,
        });
      }
    }

    async function scanForSecrets(): Promise<void> {
      for (const site of study.sites.filter((s) => s.hasSecretShare(study.id))) {
        const report = await findBytesInDatabase(domain.db, site.secretShare(study.id));
        scans += 1;
        for (const f of report.findings) secretFindings.push(`${site.name}'s secret share in ${f.table}.${f.column} (${f.encoding})`);
      }
    }

    describe('the study', () => {
      it('completes: ceremony, statistics round, every training round, one model version per round', async () => {
        const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
        expect(row).toMatchObject({ status: 'completed', failureReason: null, totalSamples: study.sites.reduce((n, s) => n + s.profile.samples, 0) });
        const studyRounds = await roundsOfStudy();
        expect(studyRounds.map((r) => [r.index, r.kind, r.status])).toEqual([
          [0, 'stats', 'complete'],
          [1, 'train', 'complete'],
          [2, 'train', 'complete'],
        ]);
        expect(await modelsOfStudy()).toHaveLength(TRAINING_ROUNDS);
      });

      it('publishes, each round, exactly the weighted FedAvg of the sites’ parameters (≤ 1e-6)', async () => {
        for (const model of await modelsOfStudy()) {
          const expected = expectedFedAvg(contributionsTo(model.roundId, study.sites));
          const published = new Float32Array(model.parameters.slice().buffer);
          expect(published).toHaveLength(expected.length);
          expect(maxAbsDifference(published, expected)).toBeLessThanOrEqual(1e-6);
        }
        // Round 2 trained from round 1's model, and produced a different one.
        const [v1, v2] = await modelsOfStudy();
        const [, , second] = await roundsOfStudy();
        expect(second!.baseModelVersionId).toBe(v1!.id);
        expect(v2!.parametersHash).not.toBe(v1!.parametersHash);
      });
    });

    describe('the audit log', () => {
      it('recorded an event with every call that changed the hub’s state', () => {
        const stateChanging = calls.filter((c) => c.changed.some((t) => !(AUDIT_TABLES as readonly string[]).includes(t)));
        expect(stateChanging.length).toBeGreaterThan(20);
        expect(stateChanging.filter((c) => !c.changed.includes('audit_events'))).toEqual([]);
      });

      it('has an event for every stored submission, decryption share, key share, round and model', async () => {
        const events = await domain.db.select().from(auditEvents).where(eq(auditEvents.studyId, study.id));
        const count = (action: string, match: (payload: Record<string, unknown>, e: (typeof events)[number]) => boolean) =>
          events.filter((e) => e.action === action && match(e.payload as Record<string, unknown>, e)).length;
        const roundIds = (await roundsOfStudy()).map((r) => r.id);

        const subs = await domain.db.select().from(submissions);
        expect(subs).toHaveLength(3 * roundIds.length);
        for (const s of subs) expect(count('round.submission_accepted', (p, e) => e.roundId === s.roundId && e.siteId === s.siteId && p.payloadHash === s.payloadHash)).toBe(1);
        const shares = await domain.db.select().from(decryptionShares);
        expect(shares).toHaveLength(3 * roundIds.length);
        for (const s of shares) expect(count('round.decryption_share_accepted', (p, e) => e.roundId === s.roundId && e.siteId === s.siteId && p.payloadHash === s.payloadHash)).toBe(1);
        for (const m of await domain.db.select().from(studySites).where(eq(studySites.studyId, study.id))) {
          expect(count('site.key_share_accepted', (p, e) => e.siteId === m.siteId && p.shareHash === m.keyShareHash)).toBe(1);
          expect(count('site.enrolled', (_, e) => e.siteId === m.siteId)).toBe(1);
        }
        for (const id of roundIds) {
          for (const action of ['round.opened', 'round.aggregation_closed', 'round.completed']) expect(count(action, (_, e) => e.roundId === id)).toBe(1);
        }
        for (const m of await modelsOfStudy()) expect(count('model.published', (p) => p.parametersHash === m.parametersHash && p.version === m.version)).toBe(1);
        const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
        expect(count('study.key_ceremony_completed', (p) => p.publicKeyHash === row!.publicKeyHash)).toBe(1);
        for (const action of ['study.created', 'study.started', 'study.completed']) expect(count(action, () => true)).toBe(1);
        expect(count('enrollment.token_issued', () => true)).toBe(3);
      });

      it('verifies, through the API too, and an edited event breaks the chain where it was edited', async () => {
        const intact = await verifyAuditChain(domain.db);
        expect(intact).toMatchObject({ ok: true, firstBreak: null });
        expect(intact.count).toBe((await domain.db.select().from(auditEvents)).length);
        expect(await admin().audit.verify()).toMatchObject({ ok: true, count: intact.count });

        const [target] = await domain.db
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.action, 'round.submission_accepted'))
          .orderBy(asc(auditEvents.seq))
          .limit(1);
        const forged = { ...(target!.payload as Record<string, unknown>), payloadHash: 'f'.repeat(64) };
        await domain.db.execute(sql`update audit_events set payload = ${JSON.stringify(forged)}::jsonb where seq = ${target!.seq}`);
        const broken = await admin().audit.verify();
        expect(broken.ok).toBe(false);
        expect(broken.firstBreak).toMatchObject({ seq: target!.seq });
        expect(broken.firstBreak?.reason).toMatch(/modified/);
      });
    });

    describe('what the hub stores', () => {
      it("never holds a site's secret share, in any column of any table, after any upload", async () => {
        // After the k-th key share, k secrets exist (1 + 2 + 3 scans); after each of the rounds' 3
        // submissions and 3 decryption shares, all three.
        expect(scans).toBe(1 + 2 + 3 + (1 + TRAINING_ROUNDS) * 6 * 3);
        expect(secretFindings).toEqual([]);
      });

      it('the scan would have found a secret stored raw, as hex or as base64 (control)', async () => {
        const secret = study.sites[0]!.secretShare(study.id);
        const found = await withRollback(async (tx) => {
          await tx.update(studies).set({ publicKey: secret, failureReason: Buffer.from(secret).toString('hex') }).where(eq(studies.id, study.id));
          await tx.update(studySites).set({ keyShareSignature: Buffer.from(secret.subarray(1)).toString('base64') }).where(eq(studySites.studyId, study.id));
          return findBytesInDatabase(tx, secret);
        });
        expect(found.findings).toEqual(
          expect.arrayContaining([
            { table: 'studies', column: 'public_key', encoding: 'raw' },
            { table: 'studies', column: 'failure_reason', encoding: 'hex' },
            { table: 'study_sites', column: 'key_share_signature', encoding: 'base64' },
          ]),
        );
      });

      it('keeps no decrypted sum and no aggregate once a round is complete: only their hashes', async () => {
        for (const round of await roundsOfStudy()) {
          expect(round.aggregateHash).toMatch(/^[0-9a-f]{64}$/);
          expect(await domain.db.select().from(roundChunks).where(eq(roundChunks.roundId, round.id))).toEqual([]);
        }
      });

      it('cannot decode an aggregate with the decryption shares it holds (all but one key holder’s); the missing share alone completes it', async () => {
        expect([...allButOneShare.keys()].sort()).toEqual((await roundsOfStudy()).map((r) => r.id).sort());
        for (const stored of allButOneShare.values()) {
          const ckks = study.spec.privacy.ckks;
          const context = await siteCrypto.context(ckks);
          const expected = sumOf(contributionsTo(stored.roundId, study.sites));
          const decoded = decodeAggregate(context, stored.accumulator, stored.shareSum!).subarray(0, expected.length);
          expect(maxAbsDifference(decoded, expected)).toBeGreaterThan(1);

          const missing = study.sites.find((s) => !stored.answered.includes(s.siteId))!;
          const [lastShare] = await missing.partialDecrypt(study.id, ckks, [stored.accumulator]);
          const complete = decodeAggregate(context, stored.accumulator, addDecryptionShares(context, stored.shareSum!, lastShare!)).subarray(0, expected.length);
          expect(maxAbsDifference(complete, expected)).toBeLessThan(1e-2);
        }
      });

      it('cannot decrypt an aggregate or a single submission with keys built from the stored public material', async () => {
        const context = await siteCrypto.context(study.spec.privacy.ckks);
        const keyLevel = rnsLevels(context).key;
        const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
        const members = await domain.db.select().from(studySites).where(eq(studySites.studyId, study.id));
        const collective = parsePublicKey(row!.publicKey!, keyLevel).coefficients;
        const polynomialWords = collective.length / 2;
        const publicPolynomials = [
          ...members.map((m) => parseShare(m.keyShare!, ShareKind.publicKey, keyLevel).coefficients.slice()),
          collective.slice(0, polynomialWords), // Σ p0_i
          collective.slice(polynomialWords), // a
          expandCrp(keyLevel, row!.crpSeed!), // a again, from the stored seed
        ];
        const candidates = [new Uint32Array(polynomialWords), ...publicPolynomials, ...publicPolynomials.map((p) => negate(p, keyLevel.primes, keyLevel.polyModulusDegree))];
        expect(candidates).toHaveLength(1 + 2 * 6);

        const targets = [
          ...[...allButOneShare.values()].map((s) => ({ what: 'aggregate', stored: s, expected: sumOf(contributionsTo(s.roundId, study.sites)) })),
          ...[...afterFirstSubmission.values()].map((s) => ({ what: 'single submission', stored: s, expected: vectorOf(s.submitted[0]!, s.roundId) })),
        ];
        expect(targets).toHaveLength(2 * (1 + TRAINING_ROUNDS));
        for (const { what, stored, expected } of targets) {
          for (const [c, candidate] of candidates.entries()) {
            const forged = partialDecrypt(context, buildPlaintext(keyLevel, 1, candidate), stored.accumulator);
            const alone = decodeAggregate(context, stored.accumulator, forged).subarray(0, expected.length);
            expect(maxAbsDifference(alone, expected), `${what}, candidate key ${c}`).toBeGreaterThan(1);
            if (stored.shareSum) {
              const withStored = decodeAggregate(context, stored.accumulator, addDecryptionShares(context, stored.shareSum, forged)).subarray(0, expected.length);
              expect(maxAbsDifference(withStored, expected), `${what} with the stored shares, candidate key ${c}`).toBeGreaterThan(1);
            }
          }
        }
      });
    });

    /** What a site submitted to a round. */
    function vectorOf(siteId: string, roundId: string): Float64Array {
      return study.sites.find((s) => s.siteId === siteId)!.accepted.get(roundId)!.vector;
    }

    async function roundsOfStudy() {
      return domain.db.select().from(rounds).where(eq(rounds.studyId, study.id)).orderBy(asc(rounds.index));
    }
    async function modelsOfStudy() {
      return domain.db.select().from(modelVersions).where(eq(modelVersions.studyId, study.id)).orderBy(asc(modelVersions.version));
    }
    /** Runs `work` in a transaction that is always rolled back, returning its result. */
    async function withRollback<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
      let result: T | undefined;
      const rollback = new Error('rollback');
      await domain.db
        .transaction(async (tx) => {
          result = await work(tx);
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      return result as T;
    }
  });
}

/** Wraps a transport so every call is recorded (and uploads followed by `afterUpload`). */
function observe(
  transport: HubTransport,
  record: <T>(call: string, run: () => Promise<T>) => Promise<T>,
  afterUpload: (kind: 'submitKeyShare' | 'submitUpdate' | 'submitDecryptionShare') => Promise<void>,
): HubTransport {
  const upload = async <T>(kind: 'submitKeyShare' | 'submitUpdate' | 'submitDecryptionShare', call: string, run: () => Promise<T>): Promise<T> => {
    const receipt = await record(call, run);
    await afterUpload(kind);
    return receipt;
  };
  return {
    enroll: (site, token) => record(`enroll ${site.name}`, () => transport.enroll(site, token)),
    poll: (site) => record(`poll by ${site.name}`, () => transport.poll(site)),
    submitKeyShare: (site, envelope) => upload('submitKeyShare', `key share by ${site.name}`, () => transport.submitKeyShare(site, envelope)),
    submitUpdate: (site, envelope) => upload('submitUpdate', `submission by ${site.name}`, () => transport.submitUpdate(site, envelope)),
    submitDecryptionShare: (site, envelope) =>
      upload('submitDecryptionShare', `decryption share by ${site.name}`, () => transport.submitDecryptionShare(site, envelope)),
    publicKey: (site, studyId) => record(`public key for ${site.name}`, () => transport.publicKey(site, studyId)),
    aggregate: (site, roundId) => record(`aggregate for ${site.name}`, () => transport.aggregate(site, roundId)),
  };
}

/** −p mod q for a polynomial in RNS form (u64 words as pairs of u32, one block of n per prime). */
function negate(poly: Uint32Array, primes: ReadonlyArray<{ value: bigint }>, n: number): Uint32Array {
  const out = poly.slice();
  const words = new BigUint64Array(out.buffer, out.byteOffset, out.length / 2);
  words.forEach((w, k) => {
    const q = primes[Math.floor(k / n)]!.value;
    words[k] = w === 0n ? 0n : q - w;
  });
  return out;
}

