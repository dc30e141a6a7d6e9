import { auditEvents, decryptionShares, modelVersions, roundChunks, rounds, studies, studySites, submissionChunks, submissions, type Executor } from '@consilium/db';
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
  findSecretsInDatabase,
  maxAbsDifference,
  snapshotState,
  sumOf,
  testStudySpec,
  type HubTransport,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { addDecryptionShares, buildShare, decodeAggregate, expandCrp, parsePublicKey, parseShare, partialDecrypt, rnsLevels, ShareKind } from '@consilium/secagg';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTransport, callerFor, unsignedRequest } from './testing/api-transport.ts';

/**
 * A complete encrypted study — 3 sites, a 2-of-3 decryption committee (the default majority), the
 * three-stage key ceremony, statistics round, 2 training rounds — driven through the API by
 * simulated sites that sign, encrypt, deal and partially decrypt for real. Recorded along the way:
 * which tables every call changed, and the hub's stored state at the moments it holds the most (an
 * accumulator of one submission; an aggregate with the decryption shares of all decryptors but one,
 * i.e. t − 1 of them).
 *
 * Then: the published models are the weighted FedAvg of the sites' parameters (≤ 1e-6); only the t
 * chosen decryptors decrypted each round; every state change was audited and the audit chain
 * verifies (and catches an edit); and nothing the hub stores — no column of any table, at any
 * step — contains any site's secret material (its additive secret s_i, its threshold key share S_j,
 * its box private key), nor decrypts the aggregate or a single submission.
 */
const TRAINING_ROUNDS = 2;
const SITES = 3;
/** The default committee of 3 sites: all of them, majority threshold. */
const THRESHOLD = 2;

/** The hub's stored state of one round at a moment of interest, read straight from the database. */
interface StoredRound {
  roundId: string;
  accumulator: Uint8Array;
  shareSum: Uint8Array | null;
  /** The round's decryptors (site ids) in the attempt the share sum belongs to. */
  decryptors: string[];
  /** Decryptors whose partial decryption is already summed into shareSum. */
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
    /** Secret-material findings of the scans run after every upload. */
    const secretFindings: string[] = [];
    /** Every piece of secret material any site has held so far (hex → whose), scanned for from then on. */
    const secretsSeen = new Map<string, { label: string; bytes: Uint8Array }>();
    /** Per upload, in order: what it was and how many secrets the scan after it looked for. */
    const scans: Array<{ kind: UploadKind; secrets: number }> = [];
    /** Per round: the accumulator right after its first submission (= that site's ciphertext). */
    const afterFirstSubmission = new Map<string, StoredRound>();
    /** Per round: accumulator and share sum when all decryptors but one (t − 1) had answered. */
    const allButOneShare = new Map<string, StoredRound>();
    /** The committee in point order (point = position + 1). */
    let committee: string[] = [];

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
        await scanForSecrets(kind);
      });

      // The study lead, through the admin API.
      const spec = testStudySpec({ trainingRounds: TRAINING_ROUNDS });
      const { studyId } = await record('studies.create', () => admin().studies.create({ spec }));
      const profiles = siteProfiles(SITES);
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
      const [row] = await domain.db.select().from(studies).where(eq(studies.id, studyId));
      committee = row!.committee ?? [];
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
        afterFirstSubmission.set(round.id, { roundId: round.id, accumulator: chunk!.accumulator, shareSum: null, decryptors: [], answered: [], submitted: submitted.map((s) => s.siteId) });
      }
    }

    async function captureAllButOneShare(): Promise<void> {
      for (const round of await domain.db.select().from(rounds).where(eq(rounds.status, 'decrypting'))) {
        if (round.shareCount !== round.decryptors.length - 1) continue;
        const chunks = await domain.db.select().from(roundChunks).where(eq(roundChunks.roundId, round.id));
        expect(chunks).toHaveLength(1);
        const answered = await domain.db
          .select({ siteId: decryptionShares.siteId })
          .from(decryptionShares)
          .where(and(eq(decryptionShares.roundId, round.id), eq(decryptionShares.attempt, round.decryptAttempt)));
        allButOneShare.set(round.id, {
          roundId: round.id,
          accumulator: chunks[0]!.accumulator,
          shareSum: chunks[0]!.shareSum,
          decryptors: round.decryptors,
          answered: answered.map((a) => a.siteId),
          submitted: round.participants,
        });
      }
    }

    /**
     * Looks for every piece of secret material any site has held so far — including an s_i the site
     * has since deleted — in every column of every table.
     */
    async function scanForSecrets(kind: UploadKind): Promise<void> {
      // study is set once enrolment is done; uploads start after it.
      for (const site of study.sites.filter((s) => s.hasSecretShare(study.id))) {
        for (const secret of site.secrets(study.id)) {
          const hex = Buffer.from(secret).toString('hex');
          if (!secretsSeen.has(hex)) secretsSeen.set(hex, { label: `${site.name}'s ${secret.byteLength}-byte secret`, bytes: secret.slice() });
        }
      }
      const seen = [...secretsSeen.values()];
      const report = await findSecretsInDatabase(domain.db, seen.map((s) => s.bytes));
      expect(report.valuesScanned).toBeGreaterThan(0);
      report.findings.forEach((found, k) => found.forEach((f) => secretFindings.push(`${seen[k]!.label} in ${f.table}.${f.column} (${f.encoding})`)));
      scans.push({ kind, secrets: seen.length });
    }

    /** The Shamir points of a round's decryptors. */
    function pointsOf(siteIds: readonly string[]): number[] {
      return siteIds.map((id) => {
        const index = committee.indexOf(id);
        if (index < 0) throw new Error(`site ${id} is not on the committee`);
        return index + 1;
      });
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
        expect(row!.threshold).toBe(THRESHOLD);
        expect(committee).toHaveLength(SITES);
      });

      it('had each round decrypted by t committee members, once, in one attempt; the others were never asked', async () => {
        for (const round of await roundsOfStudy()) {
          expect(round.decryptAttempt).toBe(1);
          expect(round.decryptors).toHaveLength(THRESHOLD);
          expect(new Set(round.decryptors).size).toBe(THRESHOLD);
          for (const id of round.decryptors) expect(committee).toContain(id);
          const shares = await domain.db.select().from(decryptionShares).where(eq(decryptionShares.roundId, round.id));
          expect(shares.map((s) => s.siteId).sort()).toEqual([...round.decryptors].sort());
          expect(round.shareCount).toBe(THRESHOLD);
        }
        // No site refused anything: every aggregate was a genuine sum.
        expect(study.sites.flatMap((s) => s.refusals)).toEqual([]);
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

      it('has an event for every stored submission, decryption share, ceremony step, round and model', async () => {
        const events = await domain.db.select().from(auditEvents).where(eq(auditEvents.studyId, study.id));
        const count = (action: string, match: (payload: Record<string, unknown>, e: (typeof events)[number]) => boolean) =>
          events.filter((e) => e.action === action && match(e.payload as Record<string, unknown>, e)).length;
        const roundIds = (await roundsOfStudy()).map((r) => r.id);

        const subs = await domain.db.select().from(submissions);
        expect(subs).toHaveLength(SITES * roundIds.length);
        for (const s of subs) expect(count('round.submission_accepted', (p, e) => e.roundId === s.roundId && e.siteId === s.siteId && p.payloadHash === s.payloadHash)).toBe(1);
        const shares = await domain.db.select().from(decryptionShares);
        expect(shares).toHaveLength(THRESHOLD * roundIds.length);
        for (const s of shares) {
          expect(count('round.decryption_share_accepted', (p, e) => e.roundId === s.roundId && e.siteId === s.siteId && p.payloadHash === s.payloadHash && p.attempt === s.attempt)).toBe(1);
        }
        const [row] = await domain.db.select().from(studies).where(eq(studies.id, study.id));
        for (const m of await domain.db.select().from(studySites).where(eq(studySites.studyId, study.id))) {
          expect(count('site.key_share_accepted', (p, e) => e.siteId === m.siteId && p.shareHash === m.keyShareHash)).toBe(1);
          expect(count('site.shares_dealt', (p, e) => e.siteId === m.siteId && p.epoch === 0 && p.recipients === SITES)).toBe(1);
          expect(count('site.key_confirmed', (p, e) => e.siteId === m.siteId && p.publicKeyHash === row!.publicKeyHash)).toBe(1);
          expect(m.confirmedPublicKeyHash).toBe(row!.publicKeyHash);
          expect(count('site.enrolled', (_, e) => e.siteId === m.siteId)).toBe(1);
        }
        for (const round of await roundsOfStudy()) {
          for (const action of ['round.opened', 'round.aggregation_closed', 'round.completed']) expect(count(action, (_, e) => e.roundId === round.id)).toBe(1);
          expect(count('round.decryptors_chosen', (p, e) => e.roundId === round.id && p.attempt === 1 && JSON.stringify(p.decryptors) === JSON.stringify(round.decryptors))).toBe(1);
          expect(count('round.decryption_refused', (_, e) => e.roundId === round.id)).toBe(0);
        }
        for (const m of await modelsOfStudy()) expect(count('model.published', (p) => p.parametersHash === m.parametersHash && p.version === m.version)).toBe(1);
        expect(count('study.key_ceremony_started', (p) => p.threshold === THRESHOLD && JSON.stringify(p.committee) === JSON.stringify(committee))).toBe(1);
        expect(count('study.key_ceremony_completed', (p) => p.publicKeyHash === row!.publicKeyHash)).toBe(1);
        for (const action of ['study.created', 'study.started', 'study.completed']) expect(count(action, () => true)).toBe(1);
        expect(count('enrollment.token_issued', () => true)).toBe(SITES);
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
      it("never holds any site's secret material, in any column of any table, after any upload", async () => {
        // Every upload of the study was followed by a scan: 3 ceremony steps per member, a
        // submission per site and round, a decryption share per decryptor and round.
        const perKind = (kind: UploadKind) => scans.filter((s) => s.kind === kind).length;
        expect(perKind('submitKeyShare')).toBe(SITES);
        expect(perKind('submitDealing')).toBe(SITES);
        expect(perKind('confirmKey')).toBe(SITES);
        expect(perKind('submitUpdate')).toBe(SITES * (1 + TRAINING_ROUNDS));
        expect(perKind('submitDecryptionShare')).toBe(THRESHOLD * (1 + TRAINING_ROUNDS));
        // The first key share already had its member's s_i and box key to look for; by the end, every
        // member's s_i (deleted at combine, still looked for), box private key and threshold key share.
        expect(scans[0]!.secrets).toBe(2);
        expect(scans.at(-1)!.secrets).toBe(3 * SITES);
        expect([...secretsSeen.values()].map((s) => s.bytes.byteLength).filter((n) => n === 32)).toHaveLength(SITES);
        expect(secretFindings).toEqual([]);
      });

      it('the scan would have found secret material stored raw, as hex or as base64 (control)', async () => {
        const [keyShare, boxKey] = [study.sites[0]!.thresholdKeyShare(study.id), study.sites[1]!.secrets(study.id).find((s) => s.byteLength === 32)!];
        expect(boxKey).toBeDefined();
        const found = await withRollback(async (tx) => {
          await tx.update(studies).set({ publicKey: keyShare, failureReason: Buffer.from(keyShare).toString('hex') }).where(eq(studies.id, study.id));
          await tx.update(studySites).set({ keyShareSignature: Buffer.from(keyShare.subarray(1)).toString('base64') }).where(eq(studySites.studyId, study.id));
          await tx.update(studySites).set({ boxPublicKey: boxKey, dealingSignature: Buffer.from(boxKey.subarray(2)).toString('base64') }).where(eq(studySites.studyId, study.id));
          await tx.update(rounds).set({ failureReason: `key ${Buffer.from(boxKey).toString('hex')}` }).where(eq(rounds.studyId, study.id));
          return { ours: (await findSecretsInDatabase(tx, [keyShare, boxKey])).findings };
        });
        expect(found.ours[0]).toEqual(
          expect.arrayContaining([
            { table: 'studies', column: 'public_key', encoding: 'raw' },
            { table: 'studies', column: 'failure_reason', encoding: 'hex' },
            { table: 'study_sites', column: 'key_share_signature', encoding: 'base64' },
          ]),
        );
        expect(found.ours[1]).toEqual(
          expect.arrayContaining([
            { table: 'study_sites', column: 'box_public_key', encoding: 'raw' },
            { table: 'study_sites', column: 'dealing_signature', encoding: 'base64' },
            { table: 'rounds', column: 'failure_reason', encoding: 'hex' },
          ]),
        );
      });

      it('keeps no decrypted sum, no aggregate and no submitted ciphertext once a round is complete: only their hashes', async () => {
        for (const round of await roundsOfStudy()) {
          expect(round.aggregateHash).toMatch(/^[0-9a-f]{64}$/);
          expect(await domain.db.select().from(roundChunks).where(eq(roundChunks.roundId, round.id))).toEqual([]);
          expect(await domain.db.select().from(submissionChunks).where(eq(submissionChunks.roundId, round.id))).toEqual([]);
        }
      });

      it('cannot decode an aggregate with the decryption shares it holds (t − 1 decryptors’); the missing decryptor’s share alone completes it', async () => {
        const context = await siteCrypto.context(study.spec.privacy.ckks);
        expect([...allButOneShare.keys()].sort()).toEqual((await roundsOfStudy()).map((r) => r.id).sort());
        for (const stored of allButOneShare.values()) {
          expect(stored.answered).toHaveLength(THRESHOLD - 1);
          const points = pointsOf(stored.decryptors);
          const expected = sumOf(contributionsTo(stored.roundId, study.sites));
          const decoded = decodeAggregate(context, stored.accumulator, stored.shareSum!, points).subarray(0, expected.length);
          expect(maxAbsDifference(decoded, expected)).toBeGreaterThan(1);

          const missingId = stored.decryptors.find((id) => !stored.answered.includes(id))!;
          const missing = study.sites.find((s) => s.siteId === missingId)!;
          const [self] = pointsOf([missingId]);
          const lastShare = partialDecrypt(context, missing.thresholdKeyShare(study.id), stored.accumulator, { self: self!, decryptors: points });
          const complete = decodeAggregate(context, stored.accumulator, addDecryptionShares(context, stored.shareSum!, lastShare), points).subarray(0, expected.length);
          expect(maxAbsDifference(complete, expected)).toBeLessThan(1e-2);
        }
      });

      it('cannot decode an aggregate without a decryptor’s share: t − 1 members weighted for their own smaller set learn nothing', async () => {
        // What a hub could get out of t − 1 colluding members (or members it tricked into a smaller
        // set): their shares for a set of t − 1, whose Lagrange weights do not recombine to s.
        const context = await siteCrypto.context(study.spec.privacy.ckks);
        for (const stored of allButOneShare.values()) {
          const expected = sumOf(contributionsTo(stored.roundId, study.sites));
          for (const smaller of subsetsOf(committee, THRESHOLD - 1)) {
            const points = pointsOf(smaller);
            const shares = smaller.map((id, k) => partialDecrypt(context, siteById(id).thresholdKeyShare(study.id), stored.accumulator, { self: points[k]!, decryptors: points }));
            const sum = shares.slice(1).reduce((acc, share) => addDecryptionShares(context, acc, share), shares[0]!);
            const decoded = decodeAggregate(context, stored.accumulator, sum, points).subarray(0, expected.length);
            expect(maxAbsDifference(decoded, expected), `members ${points.join(',')}`).toBeGreaterThan(1);
          }
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
            // As the only decryptor its Lagrange coefficient is 1: the share is c1·candidate + e.
            const lone = buildShare(ShareKind.thresholdKey, keyLevel, FORGED_BINDING, candidate, 1);
            const forged = partialDecrypt(context, lone, stored.accumulator, { self: 1, decryptors: [1] });
            const alone = decodeAggregate(context, stored.accumulator, forged, [1]).subarray(0, expected.length);
            expect(maxAbsDifference(alone, expected), `${what}, candidate key ${c}`).toBeGreaterThan(1);
            if (stored.shareSum) {
              // In place of the missing decryptor, completing the t − 1 shares the hub holds.
              const points = pointsOf(stored.decryptors);
              const self = pointsOf(stored.decryptors.filter((id) => !stored.answered.includes(id)))[0]!;
              const inPlace = buildShare(ShareKind.thresholdKey, keyLevel, FORGED_BINDING, candidate, self);
              const completing = partialDecrypt(context, inPlace, stored.accumulator, { self, decryptors: points });
              const withStored = decodeAggregate(context, stored.accumulator, addDecryptionShares(context, stored.shareSum, completing), points).subarray(0, expected.length);
              expect(maxAbsDifference(withStored, expected), `${what} with the stored shares, candidate key ${c}`).toBeGreaterThan(1);
            }
          }
        }
      });
    });

    function siteById(siteId: string): SimulatedSite {
      const site = study.sites.find((s) => s.siteId === siteId);
      if (!site) throw new Error(`no simulated site ${siteId}`);
      return site;
    }

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

/** Calls that hand the hub something a site computed with its secret material. */
type UploadKind = 'submitKeyShare' | 'submitDealing' | 'confirmKey' | 'submitUpdate' | 'submitDecryptionShare' | 'reportRefusal';

/** Wraps a transport so every call is recorded (and uploads followed by `afterUpload`). */
function observe(transport: HubTransport, record: <T>(call: string, run: () => Promise<T>) => Promise<T>, afterUpload: (kind: UploadKind) => Promise<void>): HubTransport {
  const upload = async <T>(kind: UploadKind, call: string, run: () => Promise<T>): Promise<T> => {
    const receipt = await record(call, run);
    await afterUpload(kind);
    return receipt;
  };
  return {
    enroll: (site, token, options) => record(`enroll ${site.name}`, () => transport.enroll(site, token, options)),
    poll: (site) => record(`poll by ${site.name}`, () => transport.poll(site)),
    submitKeyShare: (site, envelope) => upload('submitKeyShare', `key share by ${site.name}`, () => transport.submitKeyShare(site, envelope)),
    submitDealing: (site, envelope) => upload('submitDealing', `dealing by ${site.name}`, () => transport.submitDealing(site, envelope)),
    confirmKey: (site, input) => upload('confirmKey', `key confirmation by ${site.name}`, () => transport.confirmKey(site, input)),
    reportRefusal: (site, input) => upload('reportRefusal', `refusal by ${site.name}`, () => transport.reportRefusal(site, input)),
    submitUpdate: (site, envelope) => upload('submitUpdate', `submission by ${site.name}`, () => transport.submitUpdate(site, envelope)),
    submitDecryptionShare: (site, envelope) =>
      upload('submitDecryptionShare', `decryption share by ${site.name}`, () => transport.submitDecryptionShare(site, envelope)),
    publicKey: (site, studyId) => record(`public key for ${site.name}`, () => transport.publicKey(site, studyId)),
    aggregate: (site, roundId) => record(`aggregate for ${site.name}`, () => transport.aggregate(site, roundId)),
    submissions: (site, roundId) => record(`submissions for ${site.name}`, () => transport.submissions(site, roundId)),
    keyShares: (site, studyId) => record(`key shares for ${site.name}`, () => transport.keyShares(site, studyId)),
    dealtShares: (site, studyId) => record(`dealt shares for ${site.name}`, () => transport.dealtShares(site, studyId)),
  };
}

/** Any 32 bytes: a forger chooses a threshold key share's binding freely (partial decryption does not check it). */
const FORGED_BINDING = new Uint8Array(32).fill(7);

/** Every subset of `items` with `size` elements, in order. */
function subsetsOf<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => subsetsOf(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));
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

