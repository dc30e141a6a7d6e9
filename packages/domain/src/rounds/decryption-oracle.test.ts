import { auditEvents, roundChunks, rounds, studies, submissionChunks, submissions } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { generateIdentity, sha256Hex, signPayload } from '@consilium/protocol';
import { addCiphertexts, encryptVector, expandCiphertext, packCiphertext } from '@consilium/secagg';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { currentRound, driveStudy, runPendingTasks, setUpStudy, testStudySpec, type TestStudy, useDomainHarness } from '../testing/index.ts';

/**
 * No decryption oracle: a hub that asks the committee to decrypt one site's ciphertext, a sum of
 * fewer than the study's minimum, or a sum including a ciphertext no site signed, is refused by
 * every committee member it asks (the check in @consilium/keyholder, which the agent runs too), and
 * the refusal is recorded on both sides: in the site's own record and in the hub's audit log.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`decryption-oracle refusals on ${target.kind}`, { timeout: 90_000 }, () => {
    const harness = useDomainHarness(target);

    /** A study of 4 sites, minimum 3 submissions, whose statistics round every site has submitted to. */
    async function sealedStatsRound(): Promise<{ study: TestStudy; roundId: string }> {
      const study = await setUpStudy(harness.hub.ctx, harness.transport, { siteCrypto: harness.siteCrypto, sites: 4, spec: testStudySpec({ minSitesPerRound: 3 }) });
      for (const site of study.sites) expect(await runPendingTasks(site, harness.transport, study, { kinds: ['stats'] })).toBe(1);
      const round = await currentRound(harness.hub.ctx, study.id);
      expect(round.row.status).toBe('decrypting');
      return { study, roundId: round.row.id };
    }

    const chunksOf = async (roundId: string, siteId: string) =>
      (await harness.hub.ctx.db.select().from(submissionChunks).where(and(eq(submissionChunks.roundId, roundId), eq(submissionChunks.siteId, siteId))).orderBy(asc(submissionChunks.chunkIndex))).map((c) => c.ciphertext);

    const scaleOf = async (roundId: string) => ((await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.id, roundId)))[0]!.encoding as { scaleBits: number }).scaleBits;

    /** What a malicious hub does: replace the sealed aggregate (and its announced hash). */
    async function replaceAggregate(roundId: string, aggregate: Uint8Array[]): Promise<void> {
      for (const [chunkIndex, accumulator] of aggregate.entries()) {
        await harness.hub.ctx.db.update(roundChunks).set({ accumulator }).where(and(eq(roundChunks.roundId, roundId), eq(roundChunks.chunkIndex, chunkIndex)));
      }
      await harness.hub.ctx.db.update(rounds).set({ aggregateHash: sha256Hex(aggregate) }).where(eq(rounds.id, roundId));
    }

    /** …and drop sites from the listing served to decryptors. */
    async function hideSubmissions(roundId: string, siteIds: string[]): Promise<void> {
      for (const siteId of siteIds) {
        await harness.hub.ctx.db.delete(submissionChunks).where(and(eq(submissionChunks.roundId, roundId), eq(submissionChunks.siteId, siteId)));
        await harness.hub.ctx.db.delete(submissions).where(and(eq(submissions.roundId, roundId), eq(submissions.siteId, siteId)));
      }
    }

    /** Every site performs its decrypt tasks; returns the refusals recorded on both sides. */
    async function attemptDecryption(study: TestStudy, roundId: string) {
      for (const site of study.sites) await runPendingTasks(site, harness.transport, study, { kinds: ['decrypt'] });
      const siteSide = study.sites.flatMap((s) => s.refusals.filter((r) => r.roundId === roundId).map((r) => ({ site: s.siteId, reason: r.reason })));
      const hubSide = await harness.hub.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.roundId, roundId), eq(auditEvents.action, 'round.decryption_refused'))).orderBy(asc(auditEvents.seq));
      const [round] = await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.id, roundId));
      return { siteSide, hubSide, round: round! };
    }

    function expectRefused(result: Awaited<ReturnType<typeof attemptDecryption>>, reason: RegExp): void {
      expect(result.siteSide.length).toBeGreaterThanOrEqual(1);
      for (const refusal of result.siteSide) expect(refusal.reason).toMatch(reason);
      // The hub's audit log holds the same refusal, by the same site.
      expect(result.hubSide.map((e) => e.siteId)).toEqual(result.siteSide.map((r) => r.site));
      for (const event of result.hubSide) expect((event.payload as { reason: string }).reason).toMatch(reason);
      expect(result.round.status).toBe('failed');
      expect(result.round.failureReason).toMatch(/refused to decrypt/);
      // Nothing was decrypted: no decryption share reached the hub.
      expect(result.round.shareCount).toBe(0);
    }

    it("refuses to decrypt one site's ciphertext presented as the aggregate", async () => {
      const { study, roundId } = await sealedStatsRound();
      const victim = study.sites[0]!;
      const context = await harness.siteCrypto.context(study.spec.privacy.ckks);
      const scaleBits = await scaleOf(roundId);
      await replaceAggregate(roundId, (await chunksOf(roundId, victim.siteId)).map((c) => expandCiphertext(context, c, { scaleBits })));
      expectRefused(await attemptDecryption(study, roundId), /aggregate chunk 0 is not the sum of the 4 signed submissions/);
    });

    it("refuses one site's ciphertext even when the harness.hub lists only that submission", async () => {
      const { study, roundId } = await sealedStatsRound();
      const victim = study.sites[0]!;
      const context = await harness.siteCrypto.context(study.spec.privacy.ckks);
      const scaleBits = await scaleOf(roundId);
      await replaceAggregate(roundId, (await chunksOf(roundId, victim.siteId)).map((c) => expandCiphertext(context, c, { scaleBits })));
      await hideSubmissions(roundId, study.sites.slice(1).map((s) => s.siteId));
      expectRefused(await attemptDecryption(study, roundId), /sum of 1 submission\(s\); the study requires at least 3/);
    });

    it('refuses a sum of fewer submissions than the study minimum', async () => {
      const { study, roundId } = await sealedStatsRound();
      const context = await harness.siteCrypto.context(study.spec.privacy.ckks);
      const scaleBits = await scaleOf(roundId);
      const expand = (chunks: Uint8Array[]) => chunks.map((c) => expandCiphertext(context, c, { scaleBits }));
      const [a, b] = [expand(await chunksOf(roundId, study.sites[0]!.siteId)), expand(await chunksOf(roundId, study.sites[1]!.siteId))];
      await replaceAggregate(roundId, a.map((chunk, i) => addCiphertexts(context, chunk, b[i]!)));
      await hideSubmissions(roundId, [study.sites[2]!.siteId, study.sites[3]!.siteId]);
      expectRefused(await attemptDecryption(study, roundId), /sum of 2 submission\(s\); the study requires at least 3/);
    });

    it('refuses a sum that includes a ciphertext no site signed', async () => {
      const { study, roundId } = await sealedStatsRound();
      const context = await harness.siteCrypto.context(study.spec.privacy.ckks);
      const [round] = await harness.hub.ctx.db.select().from(rounds).where(eq(rounds.id, roundId));
      const [studyRow] = await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, study.id));
      const encoding = round!.encoding as { length: number; scaleBits: number };
      // The hub encrypts a vector of its choice and passes it off as site 4's submission, signed with a key of its own.
      const forged = encryptVector(context, studyRow!.publicKey!, new Float64Array(encoding.length), encoding.scaleBits).map((c) => packCiphertext(context, c, encoding.scaleBits));
      const impersonated = study.sites[3]!;
      await hideSubmissions(roundId, [impersonated.siteId]);
      const payloadSha256 = sha256Hex(forged);
      const signature = signPayload({ privateKeyPem: generateIdentity().privateKeyPem, purpose: 'submission', studyId: study.id, roundId, siteId: impersonated.siteId, payloadSha256 });
      await harness.hub.ctx.db.insert(submissions).values({ roundId, siteId: impersonated.siteId, payloadHash: payloadSha256, payloadBytes: 1, signature });
      for (const [chunkIndex, ciphertext] of forged.entries()) await harness.hub.ctx.db.insert(submissionChunks).values({ roundId, siteId: impersonated.siteId, chunkIndex, ciphertext });
      const expand = (c: Uint8Array) => expandCiphertext(context, c, { scaleBits: encoding.scaleBits });
      const genuine = await Promise.all(study.sites.slice(0, 3).map((s) => chunksOf(roundId, s.siteId)));
      await replaceAggregate(roundId, forged.map((chunk, i) => genuine.reduce((sum, site) => addCiphertexts(context, sum, expand(site[i]!)), expand(chunk))));
      expectRefused(await attemptDecryption(study, roundId), new RegExp(`without a valid signature of site ${impersonated.siteId}`));
    });

    it('decrypts the genuine aggregate after a refused round, in the retried round', async () => {
      const { study, roundId } = await sealedStatsRound();
      const context = await harness.siteCrypto.context(study.spec.privacy.ckks);
      const scaleBits = await scaleOf(roundId);
      await replaceAggregate(roundId, (await chunksOf(roundId, study.sites[1]!.siteId)).map((c) => expandCiphertext(context, c, { scaleBits })));
      await attemptDecryption(study, roundId);
      await driveStudy(study.sites, harness.transport, study);
      const [row] = await harness.hub.ctx.db.select().from(studies).where(eq(studies.id, study.id));
      expect(row!.status).toBe('completed');
    });
  });
}
