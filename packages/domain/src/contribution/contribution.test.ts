import { ownershipFromLedger, PERCENT_UNITS, replay } from '@consilium/contribution';
import { verifyAuditChain } from '@consilium/audit';
import { auditEvents, contributionSettlements, ledgerEntries, studies } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { claimPayloadHash, evaluationPayloadHash, signPayload } from '@consilium/protocol';
import type { ContributionClaim, EvalMetrics, Task } from '@consilium/schemas';
import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import { reportEvaluation } from '../models/report-evaluation.ts';
import { performTask, rejectionOf, setUpStudy, testStudySpec, useDomainHarness, type SimulatedSite, type TestStudy } from '../testing/index.ts';
import { getStudyContribution } from './contribution-view.ts';
import { loadStudyLedger } from './ledger-store.ts';
import { reportClaim } from './report-claim.ts';

/**
 * Contribution accounting wired into the hub: sites sign declarations and training claims, report
 * validation metrics, and the hub settles each round in the transaction that closes its validation
 * window — stakes, rewards, slashes and ownership all in the ledger table, audited. Four sites: two
 * honest, one that signs four times the samples it declared (caught by proof), one whose validation
 * metrics are far from everyone else's (a label flipper: caught by repetition).
 */
const HELD_OUT = 50;
const ROUNDS = 4;

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`contribution accounting on ${target.kind}`, { timeout: 120_000 }, () => {
    const harness = useDomainHarness(target);
    const authenticated = (site: SimulatedSite): AuthenticatedSite => ({ siteId: site.siteId, siteName: site.name, publicKey: site.identity.publicKey });

    const claimOf = (study: TestStudy, site: SimulatedSite, task: Task): ContributionClaim => {
      const { samples, positives } = site.profile;
      if (task.kind === 'stats') return { kind: 'declaration', trainRows: samples, heldOutRows: HELD_OUT, labelCounts: [samples - positives, positives] };
      const inflater = site === study.sites[2];
      return { kind: 'training', samples: inflater ? samples * 4 : samples, epochs: study.spec.training.localEpochs };
    };
    const signedClaim = (study: TestStudy, site: SimulatedSite, roundId: string, claim: ContributionClaim) => ({
      studyId: study.id,
      roundId,
      claim,
      signature: signPayload({ privateKeyPem: site.identity.privateKeyPem, purpose: 'claim', studyId: study.id, roundId, siteId: site.siteId, payloadSha256: claimPayloadHash({ roundId, claim }) }),
    });
    const metricsOf = (study: TestStudy, site: SimulatedSite): EvalMetrics => {
      const flipper = site === study.sites[3];
      const i = study.sites.indexOf(site);
      return flipper
        ? { n: HELD_OUT, accuracy: 0.18, loss: 1.9, auc: 0.2, positiveRate: 0.1 }
        : { n: HELD_OUT, accuracy: 0.8 + 0.01 * i, loss: 0.45 - 0.01 * i, auc: 0.85, positiveRate: 0.1 };
    };

    /** Every site does its work as the agent does: claim before upload, evaluate each new model. */
    const runStudy = async (study: TestStudy, beforeUpload?: (site: SimulatedSite, task: Task) => Promise<void>) => {
      const ctx = harness.hub.ctx;
      for (let pass = 0; pass < 80; pass++) {
        let performed = 0;
        for (const site of study.sites) {
          const { tasks } = await harness.transport.poll(site);
          for (const task of tasks.filter((t) => t.studyId === study.id)) {
            if (task.kind === 'evaluate') {
              const metrics = metricsOf(study, site);
              const signature = signPayload({
                privateKeyPem: site.identity.privateKeyPem,
                purpose: 'evaluation',
                studyId: study.id,
                roundId: task.modelVersionId,
                siteId: site.siteId,
                payloadSha256: evaluationPayloadHash({ modelVersionId: task.modelVersionId, metrics }),
              });
              await reportEvaluation(ctx, authenticated(site), { studyId: study.id, modelVersionId: task.modelVersionId, metrics, signature });
            } else {
              if (task.kind === 'stats' || task.kind === 'train') await reportClaim(ctx, authenticated(site), signedClaim(study, site, task.roundId, claimOf(study, site, task)));
              await beforeUpload?.(site, task);
              await performTask(site, harness.transport, study, task);
            }
            performed += 1;
          }
        }
        if (performed === 0) return;
      }
      throw new Error('the study still had work after 80 passes');
    };

    it('stakes, pays and slashes in the ledger, catches the inflater and the outlier, and shares add up to exactly 100%', async () => {
      const ctx = harness.hub.ctx;
      const study = await setUpStudy(ctx, harness.transport, {
        siteCrypto: harness.siteCrypto,
        spec: testStudySpec({ encrypted: false, trainingRounds: ROUNDS }),
        sites: [
          { samples: 400, positives: 40 },
          { samples: 300, positives: 30 },
          { samples: 300, positives: 30 },
          { samples: 300, positives: 30 },
        ],
      });
      await runStudy(study);
      const [row] = await ctx.db.select({ status: studies.status }).from(studies).where(eq(studies.id, study.id));
      expect(row?.status).toBe('completed');

      const settled = await ctx.db.select({ round: contributionSettlements.round }).from(contributionSettlements).where(eq(contributionSettlements.studyId, study.id)).orderBy(asc(contributionSettlements.round));
      expect(settled.map((s) => s.round)).toEqual([0, 1, 2, 3, 4]);

      const view = await getStudyContribution(ctx, study.id);
      const byId = new Map(view.sites.map((s) => [s.siteId, s]));
      const [honestLarge, honestSmall, inflater, flipper] = study.sites.map((s) => byId.get(s.siteId)!);

      // The inflater's first claim contradicted its own declaration: proof, slashed half its stake, paid nothing.
      const inflaterEvidence = view.evidence.filter((e) => e.siteId === inflater!.siteId);
      expect(inflaterEvidence[0]).toMatchObject({ reason: 'claim-exceeds-declared', round: 1, claimed: 1200, limit: 300 });
      expect(view.rounds[0]!.records.find((r) => r.siteId === inflater!.siteId)).toMatchObject({ misconduct: 'proof', forfeit: true, rewardMicro: '0', slashedMicro: '500000000' });
      // Every later inflated claim is a new offence: half of what is left, each round (500 + 250 + 125 + 62.5).
      expect(BigInt(inflater!.slashedMicro)).toBe(937_500_000n);
      expect(inflater!.excluded).toBe(true);

      // The outlier is flagged every round and confirmed by repetition in round 3.
      const flipperRounds = new Set(view.evidence.filter((e) => e.siteId === flipper!.siteId).map((e) => e.round));
      expect([...flipperRounds].sort()).toEqual([1, 2, 3, 4]);
      expect(view.rounds[2]!.records.find((r) => r.siteId === flipper!.siteId)?.misconduct).toBe('repeated');
      expect(BigInt(flipper!.slashedMicro)).toBeGreaterThan(0n);

      // Honest sites are never flagged, keep their stakes, and own the model.
      for (const honest of [honestLarge!, honestSmall!]) {
        expect(honest.flags).toBe(0);
        expect(honest.stakeMicro).toBe(String(1000n * 1_000_000n));
      }
      expect(BigInt(honestLarge!.shareUnits)).toBeGreaterThan(BigInt(honestSmall!.shareUnits));
      for (const cheat of [inflater!, flipper!]) expect(BigInt(cheat.shareUnits)).toBeLessThan(BigInt(honestSmall!.shareUnits));
      expect(inflater!.shareUnits).toBe('0');

      // Ledger invariants, recomputed from the stored rows alone.
      const ledger = await loadStudyLedger(ctx.db, study.id);
      const state = replay(ledger.entries);
      expect([...state.balances.values()].reduce((a, b) => a + b, 0n)).toBe(0n);
      const shares = ownershipFromLedger(ledger.entries, study.id, { sites: study.sites.map((s) => s.siteId) });
      expect(shares.reduce((a, s) => a + s.units, 0n)).toBe(PERCENT_UNITS);
      for (const share of shares) expect(byId.get(share.siteId)!.shareUnits).toBe(String(share.units));
      expect(view.sites.reduce((a, s) => a + BigInt(s.shareUnits), 0n)).toBe(PERCENT_UNITS);
      expect(view.shareHistory).toHaveLength(ROUNDS);

      // Audited in the same transactions, and the chain still verifies.
      const actions = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.studyId, study.id));
      const count = (action: string) => actions.filter((a) => a.action === action).length;
      expect(count('contribution.opened')).toBe(1);
      expect(count('contribution.round_settled')).toBe(ROUNDS);
      expect(count('contribution.claim_reported')).toBe(4 + 4 * ROUNDS);
      expect(count('contribution.misconduct_confirmed')).toBeGreaterThanOrEqual(2);
      expect(count('contribution.settlement_deferred')).toBe(0);
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);

      // The table itself refuses edits: a correction must be a new entry.
      const refusal = async (attempt: Promise<unknown>) => {
        const error = await attempt.then(() => null, (e: unknown) => e as Error & { cause?: Error });
        return `${error?.message ?? 'accepted'} ${error?.cause?.message ?? ''}`;
      };
      expect(await refusal(ctx.db.execute(sql`UPDATE ledger_entries SET kind = 'reward' WHERE study_id = ${study.id}`))).toMatch(/append-only: UPDATE refused/);
      expect(await refusal(ctx.db.delete(ledgerEntries).where(eq(ledgerEntries.studyId, study.id)).then(() => undefined))).toMatch(/append-only: DELETE refused/);
      expect((await loadStudyLedger(ctx.db, study.id)).entries).toHaveLength(ledger.entries.length);
    });

    it('records a signed invalid update as a protocol violation, and settles it as proof: slashed and paid nothing that round', async () => {
      const ctx = harness.hub.ctx;
      const study = await setUpStudy(ctx, harness.transport, { siteCrypto: harness.siteCrypto, spec: testStudySpec({ encrypted: false, trainingRounds: 2 }), sites: 4 });
      const cheat = study.sites[1]!;
      await runStudy(study, async (site, task) => {
        if (site !== cheat || task.kind !== 'train' || task.roundIndex !== 1) return;
        // A plaintext update is the vector's float64 bytes: three values where the round expects more.
        const garbage = [new Uint8Array(new Float64Array(3).buffer)];
        const refusal = await rejectionOf(harness.transport.submitUpdate(site, site.envelope('submission', study.id, task.roundId, garbage)));
        expect(refusal.code).toBe(ErrorCode.INVALID_INPUT);
      });
      const view = await getStudyContribution(ctx, study.id);
      expect(view.settledRounds).toBe(2);
      const record = view.rounds[0]!.records.find((r) => r.siteId === cheat.siteId)!;
      expect(record).toMatchObject({ misconduct: 'proof', forfeit: true, rewardMicro: '0', slashedMicro: '500000000' });
      expect(record.evidence).toEqual([expect.objectContaining({ reason: 'invalid-ciphertext', detail: expect.stringContaining('Plaintext update must be') })]);
      // It was refused, not aggregated; the honest retry in the same round was accepted and counted.
      expect(view.rounds[0]!.records.find((r) => r.siteId === cheat.siteId)?.submitted).toBe(true);
      const audited = await ctx.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.studyId, study.id));
      expect(audited.filter((a) => a.action === 'contribution.protocol_violation')).toHaveLength(1);
    });

    it('refuses a claim with a bad signature, of the wrong kind, or changed after it was recorded, and keeps the first', async () => {
      const ctx = harness.hub.ctx;
      const study = await setUpStudy(ctx, harness.transport, { siteCrypto: harness.siteCrypto, spec: testStudySpec({ encrypted: false }), sites: 3 });
      const site = study.sites[0]!;
      const { tasks } = await harness.transport.poll(site);
      const stats = tasks.find((t) => t.kind === 'stats' && t.studyId === study.id);
      if (stats?.kind !== 'stats') throw new Error('expected a statistics task');
      const declaration = claimOf(study, site, stats);
      if (declaration.kind !== 'declaration') throw new Error('expected a declaration');

      const forged = { ...signedClaim(study, site, stats.roundId, declaration), claim: { ...declaration, trainRows: 9999 } };
      expect((await rejectionOf(reportClaim(ctx, authenticated(site), forged))).code).toBe(ErrorCode.INVALID_SIGNATURE);
      const training: ContributionClaim = { kind: 'training', samples: 10, epochs: 1 };
      expect((await rejectionOf(reportClaim(ctx, authenticated(site), signedClaim(study, site, stats.roundId, training)))).code).toBe(ErrorCode.INVALID_INPUT);

      expect(await reportClaim(ctx, authenticated(site), signedClaim(study, site, stats.roundId, declaration))).toEqual({ recorded: true });
      expect(await reportClaim(ctx, authenticated(site), signedClaim(study, site, stats.roundId, declaration))).toEqual({ recorded: false });
      const changed = signedClaim(study, site, stats.roundId, { ...declaration, trainRows: declaration.trainRows + 1 });
      expect((await rejectionOf(reportClaim(ctx, authenticated(site), changed))).code).toBe(ErrorCode.CONFLICT);

      const audited = await ctx.db.select().from(auditEvents).where(eq(auditEvents.studyId, study.id));
      expect(audited.filter((e) => e.action === 'contribution.claim_reported')).toHaveLength(1);
    });
  });
}
