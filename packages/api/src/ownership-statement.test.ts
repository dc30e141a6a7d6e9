import { OwnershipStatement, ownershipStatementProblem, parseLedgerNdjson, PERCENT_UNITS } from '@consilium/contribution';
import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, createStudy, login, Roles, type DomainContext } from '@consilium/domain';
import { createTestAccount, insertTestSite, rejectionOf, runStudyWithContribution, setUpStudy, testStudySpec, useDomainHarness, type TestStudy } from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { generateIdentity } from '@consilium/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root.ts';
import { unsignedRequest } from './testing/api-transport.ts';
import { createCallerFactory, createContext, type ApiOptions } from './trpc.ts';

/**
 * `contribution.statement`: a study run to completion with contribution accounting (simulated sites
 * claiming, training and evaluating through the domain), then its signed ownership statement asked
 * for through the API. It verifies offline with the hub's key against the ledger it came with; a
 * study where nobody has earned yet, a hub without a key and a caller without access are refused.
 */
const TRAINING_ROUNDS = 2;

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`the signed ownership statement through the API on ${target.kind}`, { timeout: 120_000 }, () => {
    const harness = useDomainHarness(target);
    const domain = (): DomainContext => harness.hub.ctx;
    const hubKey = generateIdentity();
    const api = (headers: Record<string, string>, options: ApiOptions = { hubSigningKeyPem: hubKey.privateKeyPem }) =>
      createCallerFactory(appRouter)(createContext(domain(), unsignedRequest({ method: 'GET', path: '/trpc/contribution.statement', headers }), options));
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    let study: TestStudy;
    let admin: Record<string, string>;

    beforeAll(async () => {
      study = await setUpStudy(domain(), harness.transport, {
        siteCrypto: harness.siteCrypto,
        spec: testStudySpec({ name: 'Readmission risk', encrypted: false, trainingRounds: TRAINING_ROUNDS }),
        sites: [
          { samples: 400, positives: 40 },
          { samples: 300, positives: 30 },
          { samples: 200, positives: 20 },
        ],
      });
      await runStudyWithContribution(domain(), harness.transport, study);
      admin = bearer((await createAdminToken(domain(), { label: 'statement', actor: 'admin:test' })).token);
    }, 120_000);

    it('signs a statement that verifies offline with the hub key, recomputed from the ledger it comes with', async () => {
      const { ledgerNdjson, ...statement } = await api(admin).contribution.statement({ studyId: study.id });

      expect(OwnershipStatement.parse(statement)).toEqual(statement);
      expect(statement).toMatchObject({ study: { id: study.id, name: 'Readmission risk' }, status: 'completed', rounds: TRAINING_ROUNDS, publicKey: hubKey.publicKey });
      expect(statement.shares.map((s) => s.siteId).sort()).toEqual(study.sites.map((s) => s.siteId).sort());
      expect(statement.shares.reduce((sum, s) => sum + BigInt(s.units), 0n)).toBe(PERCENT_UNITS);
      expect(statement.shares.every((s) => BigInt(s.rewardMicro) > 0n)).toBe(true);
      const entries = parseLedgerNdjson(ledgerNdjson);
      expect(statement.ledger).toMatchObject({ entries: entries.length, lastEntryId: entries.at(-1)!.id });

      expect(ownershipStatementProblem(statement, { publicKey: hubKey.publicKey, entries })).toBeNull();
      // Signed: an edited share, or another key, does not verify.
      const edited = { ...statement, shares: statement.shares.map((s, i) => (i === 0 ? { ...s, siteName: 'Somebody else' } : s)) };
      expect(ownershipStatementProblem(edited, { publicKey: hubKey.publicKey, entries })).toMatch(/signature does not verify/);
      expect(ownershipStatementProblem(statement, { publicKey: generateIdentity().publicKey, entries })).toMatch(/not the pinned hub key/);
    });

    it('refuses with WRONG_STATE while nobody has earned a reward in the study', async () => {
      const { studyId } = await createStudy(domain(), { spec: testStudySpec({ name: 'Not yet run', encrypted: false }), actor: 'admin:test' });
      await insertTestSite(domain(), 'Waiting Hospital', [studyId]);

      const refusal = await rejectionOf(api(admin).contribution.statement({ studyId }));

      expect(refusal).toMatchObject({ code: ErrorCode.WRONG_STATE, message: expect.stringMatching(/Study "Not yet run" has no ownership statement yet: no site has earned a reward/) });
    });

    it('refuses with WRONG_STATE when the hub has no signing key configured', async () => {
      const refusal = await rejectionOf(api(admin, {}).contribution.statement({ studyId: study.id }));

      expect(refusal).toMatchObject({ code: ErrorCode.WRONG_STATE, message: 'this hub has no signing key configured' });
    });

    it("gives the statement to the study's site admins, and refuses with FORBIDDEN people without access to the study", async () => {
      const signIn = async (role: typeof Roles.SITE_ADMIN | typeof Roles.STUDY_LEAD, siteId?: string) => {
        const account = await createTestAccount(domain(), { role, siteId: siteId ?? null });
        return bearer((await login(domain(), { email: account.email, password: account.password, ip: null, userAgent: 'test' })).token);
      };
      const memberSiteAdmin = await signIn(Roles.SITE_ADMIN, study.sites[0]!.siteId);
      const otherSiteAdmin = await signIn(Roles.SITE_ADMIN, await insertTestSite(domain(), 'Elsewhere Hospital'));
      const otherLead = await signIn(Roles.STUDY_LEAD);

      expect((await api(memberSiteAdmin).contribution.statement({ studyId: study.id })).study.id).toBe(study.id);
      expect(await rejectionOf(api(otherSiteAdmin).contribution.statement({ studyId: study.id }))).toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(await rejectionOf(api(otherLead).contribution.statement({ studyId: study.id }))).toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(await rejectionOf(api({}).contribution.statement({ studyId: study.id }))).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    });
  });
}
