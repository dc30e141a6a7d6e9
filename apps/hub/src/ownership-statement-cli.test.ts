import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ownershipStatementProblem, parseLedgerNdjson, parseOwnershipStatement } from '@consilium/contribution';
import { createDatabase } from '@consilium/db';
import { createStudy, DEFAULT_LIMITS, HubCrypto, type DomainContext } from '@consilium/domain';
import { domainTransport, insertTestSite, runStudyWithContribution, setUpStudy, testStudySpec } from '@consilium/domain/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../test/hub-databases.ts';
import { cliScript, runCli } from '../test/run-cli.ts';
import { adminClient } from './admin-client.ts';
import { createHub } from './create-hub.ts';

/**
 * `consilium-hub ownership:statement` run as an operator would, on the database of a hub whose
 * study has run with contribution accounting; the files it writes then checked as a verifier
 * would, with the hub's pinned key and the ledger (the library functions and `consilium-ownership
 * verify`). Then the same hub, started, issues a statement through its API signed with the same key.
 */
const hubCli = cliScript('cli.ts');
const ownershipCli = cliScript('ownership-cli.ts');

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`the ownership statement command line on ${target.kind}`, { timeout: 120_000 }, () => {
    let dir: string;
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    /** Where no hub answers, so the embedded database may be opened. */
    const noHub = 'http://127.0.0.1:9';
    let dbArgs: string[];
    let studyId: string;
    let notRunId: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-ownership-statement-'));
      dataDir = path.join(dir, 'hub');
      database = await target.create();
      dbArgs = ['--data-dir', dataDir, '--hub', noHub, ...(database.databaseUrl ? ['--database-url', database.databaseUrl] : [])];
      // A hub database as `serve` leaves it after a study ran to the end with contribution accounting.
      const handle = await createDatabase({ url: database.databaseUrl, dataDir: path.join(dataDir, 'pglite') });
      const [crypto, siteCrypto] = [new HubCrypto(), new HubCrypto()];
      try {
        await handle.migrate();
        const ctx: DomainContext = { db: handle.db, crypto, limits: DEFAULT_LIMITS, now: () => new Date() };
        const transport = domainTransport(ctx);
        const study = await setUpStudy(ctx, transport, { siteCrypto, spec: testStudySpec({ name: 'Sepsis onset', encrypted: false, trainingRounds: 2 }), sites: 3 });
        await runStudyWithContribution(ctx, transport, study);
        studyId = study.id;
        notRunId = (await createStudy(ctx, { spec: testStudySpec({ name: 'Not started', encrypted: false }), actor: 'admin:test' })).studyId;
        await insertTestSite(ctx, 'Waiting Hospital', [notRunId]);
      } finally {
        await siteCrypto.dispose();
        await crypto.dispose();
        await handle.close();
      }
    }, 120_000);
    afterAll(async () => {
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('writes a signed statement, its page and the ledger (0600), which verify offline with the pinned hub key', async () => {
      const out = path.join(dir, 'statement');
      const written = await runCli(hubCli, ['ownership:statement', studyId, '--out', out, ...dbArgs]);
      expect(written, written.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/Ownership statement of study "Sepsis onset"/) });
      expect(written.stdout).toMatch(/Verify offline: consilium-ownership verify .*ownership-statement\.json --public-key .* --ledger .*ledger\.ndjson/);
      const file = (name: string) => path.join(out, name);
      for (const name of ['ownership-statement.json', 'ownership-statement.html', 'ledger.ndjson']) {
        expect((await stat(file(name))).mode & 0o777, name).toBe(0o600);
      }
      const publicKey = (await runCli(hubCli, ['audit:public-key', '--data-dir', dataDir])).stdout.trim();

      const statement = parseOwnershipStatement(await readFile(file('ownership-statement.json'), 'utf8'));
      const entries = parseLedgerNdjson(await readFile(file('ledger.ndjson'), 'utf8'));
      expect(statement).toMatchObject({ study: { id: studyId, name: 'Sepsis onset' }, status: 'completed', rounds: 2, publicKey });
      expect(statement.shares).toHaveLength(3);
      expect(ownershipStatementProblem(statement, { publicKey, entries })).toBeNull();
      expect(await readFile(file('ownership-statement.html'), 'utf8')).toContain('Sepsis onset');

      const verified = await runCli(ownershipCli, ['verify', file('ownership-statement.json'), '--public-key', publicKey, '--ledger', file('ledger.ndjson')]);
      expect(verified, verified.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: ownership statement of study "Sepsis onset"/) });
      expect(verified.stdout).toMatch(/Recomputed from the ledger/);
    });

    it('refuses a study where nobody has earned yet, and a malformed id, with a message', async () => {
      const early = await runCli(hubCli, ['ownership:statement', notRunId, '--out', path.join(dir, 'early'), ...dbArgs]);
      expect(early).toMatchObject({ code: 1, stderr: expect.stringMatching(/WRONG_STATE.*"Not started" has no ownership statement yet: no site has earned a reward/) });
      const malformed = await runCli(hubCli, ['ownership:statement', 'not-a-study', ...dbArgs]);
      expect(malformed).toMatchObject({ code: 1, stderr: expect.stringMatching(/INVALID_INPUT: "not-a-study" is not a study id/) });
    });

    it('the running hub issues the statement through its API, signed with the same key', async () => {
      const hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: pino({ level: 'silent' }) });
      const started = await hub.start();
      try {
        const token = (await readFile(started.adminTokenFile ?? path.join(dataDir, 'admin-token'), 'utf8')).trim();
        const { ledgerNdjson, ...statement } = await adminClient({ hubUrl: started.url, token }).contribution.statement.query({ studyId });
        const publicKey = (await runCli(hubCli, ['audit:public-key', '--data-dir', dataDir])).stdout.trim();
        expect(statement).toMatchObject({ study: { id: studyId }, publicKey });
        expect(ownershipStatementProblem(statement, { publicKey, entries: parseLedgerNdjson(ledgerNdjson) })).toBeNull();
      } finally {
        await hub.stop();
      }
    });
  });
}
