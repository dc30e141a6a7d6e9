import { randomBytes } from 'node:crypto';
import { deposit, fund, Ledger, reward, stake } from '@consilium/contribution';
import { ledgerEntries } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { createAdminToken, createStudy, issueEnrollmentToken, ledgerEntryToJson, login, Roles, type DomainContext, type UserRole } from '@consilium/domain';
import { createTestAccount, createTestHub, insertTestSite, testStudySpec, type TestAccount, type TestHub } from '@consilium/domain/testing';
import { ErrorCode, isAppError } from '@consilium/errors';
import { generateIdentity } from '@consilium/protocol';
import type { AnyProcedure } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy, Resource, Scope } from './access-policy.ts';
import { appRouter } from './root.ts';
import { binaryBody, callerFor, unsignedRequest } from './testing/api-transport.ts';

/**
 * The access matrix: every procedure of the app router, called through `createCaller` with a
 * realistic input by every kind of caller — nobody, an administrator token, and a person of each
 * role, plus a study lead of another study and a site admin of another site — must be allowed or
 * refused exactly as the access policy says. "Allowed" means not refused as FORBIDDEN or
 * UNAUTHENTICATED: a NOT_FOUND, WRONG_STATE or validation error comes after authorisation.
 *
 * The fixture: study A is led by lead A and has site A as a member; study B likewise with lead B and
 * site B. Scoped grants are exercised on A's resources, which the "A" callers own and the "B" ones do not.
 */
// At run time `_def.procedures` is flat, keyed by dotted path (its static type is the nested record).
const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
const paths = Object.keys(procedures).sort();

interface Caller {
  name: string;
  /** Null: no credentials at all. */
  role: UserRole | null;
  /** Whether study A / site A are this caller's (for scoped grants). */
  ownsA: boolean;
  headers: () => Record<string, string>;
  /** A second session of the same person, for auth.logout (so the matrix can go on with the first). */
  spareHeaders: () => Record<string, string>;
  password: string;
}

type Outcome = 'allowed' | 'forbidden' | 'unauthenticated';

/** What the table says a caller gets; computed from the table's data, not by the code under test. */
function expected(path: string, caller: Caller): Outcome {
  const policy = accessPolicy[path]!;
  if (policy.kind === 'public') return 'allowed';
  // People's credentials are no signature: agents' procedures refuse everyone here.
  if (policy.kind === 'site' || caller.role === null) return 'unauthenticated';
  const scope = policy.roles[caller.role];
  if (!scope) return 'forbidden';
  if (policy.resource === undefined || scope === Scope.ANY || scope === Scope.SELF) return 'allowed';
  return caller.ownsA ? 'allowed' : 'forbidden';
}

/** A call's outcome, and for an allowed call that then failed, the error it failed with. */
interface Result {
  /** An Outcome, or a description of an unexpected failure (which matches no expectation). */
  outcome: string;
  failedWith: string | null;
}

function classify(error: unknown): Result {
  const cause = isAppError(error) ? error : (error as { cause?: unknown }).cause;
  if (!isAppError(cause)) {
    // tRPC's own input validation runs after the access check: the call was let through.
    const validation = (error as { code?: string }).code === 'BAD_REQUEST';
    return validation ? { outcome: 'allowed', failedWith: 'BAD_REQUEST' } : { outcome: `error: ${String(error)}`, failedWith: null };
  }
  if (cause.code === ErrorCode.FORBIDDEN) return { outcome: 'forbidden', failedWith: null };
  if (cause.code === ErrorCode.UNAUTHENTICATED || cause.code === ErrorCode.INVALID_SIGNATURE) return { outcome: 'unauthenticated', failedWith: null };
  if (cause.code === ErrorCode.INTERNAL) return { outcome: `internal: ${cause.message}`, failedWith: null };
  return { outcome: 'allowed', failedWith: `${cause.code}: ${cause.message}` };
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`the access matrix on ${target.kind}`, { timeout: 120_000 }, () => {
    let hub: TestHub;
    let domain: DomainContext;
    let callers: Caller[];
    const fixture = { studyA: '', studyB: '', tokenA: '', leadA: '', victim: '', loginProbe: { email: '', password: '' } };
    /** The hub's key for signed ownership statements, as the hub passes it to the API. */
    const hubSigningKeyPem = generateIdentity().privateKeyPem;

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      const account = (role: UserRole, siteId?: string) => createTestAccount(domain, { role, siteId: siteId ?? null });
      const [leadA, leadB] = [await account(Roles.STUDY_LEAD), await account(Roles.STUDY_LEAD)];
      fixture.leadA = leadA.user.id;
      fixture.studyA = (await createStudy(domain, { spec: testStudySpec({ name: 'Study A', encrypted: false }), actor: 'admin:test', leadUserId: leadA.user.id })).studyId;
      fixture.studyB = (await createStudy(domain, { spec: testStudySpec({ name: 'Study B', encrypted: false }), actor: 'admin:test', leadUserId: leadB.user.id })).studyId;
      const siteA = await insertTestSite(domain, 'Site A', [fixture.studyA]);
      const siteB = await insertTestSite(domain, 'Site B', [fixture.studyB]);
      // Site A has earned a reward in study A, so that there is an ownership statement to sign.
      const ledger = new Ledger();
      for (const entry of [
        deposit({ id: 'matrix:deposit', siteId: siteA, amount: 10_000_000n }),
        stake({ id: 'matrix:stake', studyId: fixture.studyA, siteId: siteA, amount: 10_000_000n }),
        fund({ id: 'matrix:fund', studyId: fixture.studyA, amount: 100_000_000n }),
        reward({ id: 'matrix:reward', studyId: fixture.studyA, siteId: siteA, round: 1, amount: 5_000_000n }),
      ]) {
        ledger.append(entry);
        await domain.db.insert(ledgerEntries).values({ id: entry.id, studyId: fixture.studyA, kind: entry.kind, siteId: entry.siteId, round: entry.round, entry: ledgerEntryToJson(entry) });
      }
      fixture.tokenA = (await issueEnrollmentToken(domain, { studyId: fixture.studyA, siteName: 'Joining Hospital', actor: 'admin:test' })).tokenId;
      fixture.victim = (await account(Roles.STUDY_LEAD)).user.id;
      fixture.loginProbe = await account(Roles.COMPLIANCE_OFFICER);

      const { token: adminToken } = await createAdminToken(domain, { label: 'matrix', actor: 'admin:test' });
      const bearer = (token: string) => () => ({ authorization: `Bearer ${token}` });
      const person = async (name: string, acct: TestAccount, ownsA: boolean): Promise<Caller> => {
        const signIn = () => login(domain, { email: acct.email, password: acct.password, ip: null, userAgent: 'matrix' });
        const [main, spare] = [await signIn(), await signIn()];
        return { name, role: acct.user.role, ownsA, headers: bearer(main.token), spareHeaders: bearer(spare.token), password: acct.password };
      };
      callers = [
        { name: 'nobody', role: null, ownsA: false, headers: () => ({}), spareHeaders: () => ({}), password: '' },
        { name: 'administrator token', role: Roles.CONSORTIUM_ADMIN, ownsA: true, headers: bearer(adminToken), spareHeaders: bearer(adminToken), password: '' },
        await person('consortium_admin', await account(Roles.CONSORTIUM_ADMIN), true),
        await person('study_lead', leadA, true),
        await person('study_lead of another study', leadB, false),
        await person('site_admin', await account(Roles.SITE_ADMIN, siteA), true),
        await person('site_admin of another site', await account(Roles.SITE_ADMIN, siteB), false),
        await person('compliance_officer', await account(Roles.COMPLIANCE_OFFICER), true),
      ];
    }, 120_000);
    afterAll(async () => {
      await hub?.close();
    });

    /** A realistic input for each procedure (a function: some must differ per call). */
    const inputs: Record<string, (caller: Caller) => unknown> = {
      'health.check': () => undefined,
      'enrollment.enroll': () => ({ token: `cst_${randomBytes(32).toString('base64url')}`, publicKey: generateIdentity().publicKey, agentVersion: 'matrix' }),
      'auth.login': () => fixture.loginProbe,
      'auth.me': () => undefined,
      'auth.logout': () => undefined,
      // A wrong current password: refused by the domain after authorisation, and no session ends.
      'auth.changePassword': () => ({ currentPassword: 'not my password at all', newPassword: 'a new long passphrase' }),
      'users.list': () => undefined,
      'users.create': () => ({ email: `new-${randomBytes(4).toString('hex')}@hospital.test`, displayName: 'New Person', role: Roles.COMPLIANCE_OFFICER }),
      'users.setRole': () => ({ userId: fixture.victim, role: Roles.COMPLIANCE_OFFICER }),
      'users.disable': () => ({ userId: fixture.victim }),
      'users.revokeSessions': () => ({ userId: fixture.victim }),
      'studies.list': () => undefined,
      'studies.progress': () => ({ studyId: fixture.studyA }),
      'studies.create': () => ({ spec: testStudySpec({ encrypted: false }) }),
      'studies.start': () => ({ studyId: fixture.studyA }),
      'studies.rekey': () => ({ studyId: fixture.studyA, reason: 'matrix check' }),
      'studies.issueToken': () => ({ studyId: fixture.studyA, siteName: 'Another Joining Hospital' }),
      'studies.revokeToken': () => ({ tokenId: fixture.tokenA }),
      'studies.assignLead': () => ({ studyId: fixture.studyA, leadUserId: fixture.leadA }),
      'studies.pause': () => ({ studyId: fixture.studyA, reason: 'matrix check' }),
      'studies.resume': () => ({ studyId: fixture.studyA }),
      // Runs after every other studies.* call but studies.tokens (paths are walked in order): stopping study A ends it.
      'studies.stop': () => ({ studyId: fixture.studyA, reason: 'matrix check' }),
      'studies.tokens': () => ({ studyId: fixture.studyA }),
      'sites.list': () => undefined,
      'sites.revoke': () => ({ siteName: 'Site A', reason: 'matrix check' }),
      'sites.uploads': () => ({ siteName: 'Site A' }),
      'sites.detail': () => ({ siteName: 'Site A' }),
      'sites.decideConsent': () => ({ siteName: 'Site A', studyId: fixture.studyA, decision: 'approve' as const, note: 'matrix check' }),
      'audit.verify': () => undefined,
      'audit.events': () => ({ studyId: fixture.studyA, action: 'study.created', limit: 10 }),
      'audit.actions': () => undefined,
      'contribution.summary': () => ({ studyId: fixture.studyA }),
      'contribution.statement': () => ({ studyId: fixture.studyA }),
      'agent.poll': () => ({ agentVersion: 'matrix', backend: null }),
      'agent.study': () => ({ studyId: fixture.studyA }),
      'agent.submitKeyShare': () => binaryBody(new Uint8Array(8)),
      'agent.submitDealing': () => binaryBody(new Uint8Array(8)),
      'agent.confirmKey': () => ({ studyId: fixture.studyA, epoch: 0, publicKeyHash: '0'.repeat(64) }),
      'agent.reportRefusal': () => ({ roundId: fixture.studyA, reason: 'matrix check' }),
      'agent.submitUpdate': () => binaryBody(new Uint8Array(8)),
      'agent.submitDecryptionShare': () => binaryBody(new Uint8Array(8)),
      'agent.reportEvaluation': () => ({
        studyId: fixture.studyA,
        modelVersionId: fixture.studyA,
        metrics: { n: 1, accuracy: 1, loss: 0, auc: null },
        signature: 'matrix',
      }),
      'agent.reportClaim': () => ({ studyId: fixture.studyA, roundId: fixture.studyA, claim: { kind: 'training', samples: 1, epochs: 1 }, signature: 'matrix' }),
      'agent.rotateKey': () => ({ newPublicKey: 'matrix', proof: 'matrix' }),
    };

    async function call(path: string, caller: Caller): Promise<Result> {
      const headers = path === 'auth.logout' ? caller.spareHeaders() : caller.headers();
      const request = unsignedRequest({ method: procedures[path]!._def.type === 'query' ? 'GET' : 'POST', path: `/trpc/${path}`, headers });
      const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], callerFor(domain, request, { hubSigningKeyPem })) as (input: unknown) => Promise<unknown>;
      try {
        await procedure(inputs[path]!(caller));
        return { outcome: 'allowed', failedWith: null };
      } catch (error) {
        return classify(error);
      }
    }

    it('has a policy entry for every procedure of the router, and a procedure for every entry', () => {
      expect(paths).toEqual(Object.keys(accessPolicy).sort());
      expect(Object.keys(inputs).sort()).toEqual(paths);
    });

    it('keeps compliance officers read-only and gives every scoped grant a meaning', () => {
      for (const path of paths) {
        const policy = accessPolicy[path]!;
        if (policy.kind !== 'user') continue;
        const mutation = procedures[path]!._def.type === 'mutation';
        if (mutation) expect([undefined, Scope.SELF], path).toContain(policy.roles.compliance_officer);
        for (const scope of Object.values(policy.roles)) {
          if (scope === Scope.ANY || scope === Scope.SELF) continue;
          const meaningful =
            policy.resource === undefined ||
            (policy.resource === Resource.SITE ? scope === Scope.OWN_SITE : scope === Scope.LED_STUDY || scope === Scope.MEMBER_STUDY);
          expect(meaningful, `${path}: ${scope} on ${policy.resource}`).toBe(true);
        }
      }
    });

    it('shows scoped callers only what is in their scope (before the matrix adds studies)', async () => {
      const list = async (name: string, path: 'studies.list' | 'sites.list') => {
        const caller = callers.find((c) => c.name === name)!;
        const api = callerFor(domain, unsignedRequest({ method: 'GET', path: `/trpc/${path}`, headers: caller.headers() }));
        return (await (path === 'studies.list' ? api.studies.list() : api.sites.list())).map((row) => row.name).sort();
      };

      expect(await list('study_lead', 'studies.list')).toEqual(['Study A']);
      expect(await list('study_lead of another study', 'studies.list')).toEqual(['Study B']);
      expect(await list('site_admin', 'studies.list')).toEqual(['Study A']);
      expect(await list('compliance_officer', 'studies.list')).toEqual(['Study A', 'Study B']);
      expect(await list('administrator token', 'studies.list')).toEqual(['Study A', 'Study B']);
      expect(await list('site_admin', 'sites.list')).toEqual(['Site A']);
      expect(await list('site_admin of another site', 'sites.list')).toEqual(['Site B']);
      expect(await list('study_lead', 'sites.list')).toEqual(['Site A', 'Site B']);
    });

    it('allows and refuses every (caller, procedure) pair exactly as the table says', async () => {
      const mismatches: string[] = [];
      /** Allowed reads that then failed: their inputs would not be realistic, and the matrix would prove less. */
      const failedReads: string[] = [];
      let calls = 0;
      for (const path of paths) {
        for (const caller of callers) {
          const { outcome, failedWith } = await call(path, caller);
          calls += 1;
          const want = expected(path, caller);
          if (outcome !== want) mismatches.push(`${path} as ${caller.name}: expected ${want}, got ${outcome}`);
          if (failedWith && procedures[path]!._def.type === 'query') failedReads.push(`${path} as ${caller.name}: ${failedWith}`);
        }
      }

      expect(mismatches).toEqual([]);
      expect(failedReads).toEqual([]);
      expect(calls).toBe(paths.length * callers.length);
      console.info(`access matrix: ${callers.length} callers × ${paths.length} procedures = ${calls} calls`);
    });
  });
}
