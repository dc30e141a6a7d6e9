import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendAuditEvent } from '@consilium/audit';
import { createDatabase, sites } from '@consilium/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../test/hub-databases.ts';
import { cliScript, runCli } from '../test/run-cli.ts';

/**
 * The two command lines of the feature, run as an operator and an auditor would: `consilium-hub
 * audit:export` / `audit:public-key` on the hub's data, then `consilium-audit verify` offline.
 */
const hubCli = cliScript('cli.ts');
const auditCli = cliScript('audit-cli.ts');

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`audit export and verify command lines on ${target.kind}`, { timeout: 60_000 }, () => {
    let dir: string;
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    const studyId = randomUUID();
    /** Where no hub answers, so the embedded database may be opened. */
    const noHub = 'http://127.0.0.1:9';
    let dbArgs: string[];

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-audit-cli-'));
      dataDir = path.join(dir, 'hub');
      database = await target.create();
      dbArgs = ['--data-dir', dataDir, '--hub', noHub, ...(database.databaseUrl ? ['--database-url', database.databaseUrl] : [])];
      // A hub database as `serve` leaves it: migrated, with a site and a few audited events.
      const handle = await createDatabase({ url: database.databaseUrl, dataDir: path.join(dataDir, 'pglite') });
      await handle.migrate();
      const [site] = await handle.db.insert(sites).values({ name: 'north', publicKey: 'unused' }).returning();
      for (let i = 0; i < 6; i++) {
        await handle.db.transaction((tx) =>
          appendAuditEvent(tx, { action: 'site.revoked', actor: 'admin:ops, "night shift"', studyId, siteId: i % 2 ? site!.id : null, payload: { siteName: 'north', reason: `line one\nline, "two" ${i}` } }),
        );
      }
      await handle.close();
    });
    afterAll(async () => {
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    for (const format of ['csv', 'ndjson'] as const) {
      it(`${format}: exports, then verifies offline with the pinned key, and names a tampered event`, async () => {
        const out = path.join(dir, `audit.${format}`);
        const exported = await runCli(hubCli, ['audit:export', '--format', format, '--out', out, ...dbArgs]);
        expect(exported, exported.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/Exported 6 events/) });
        const key = await runCli(hubCli, ['audit:public-key', '--data-dir', dataDir]);
        const publicKey = key.stdout.trim();
        await writeFile(path.join(dir, 'hub.pub'), `${publicKey}\n`);

        const ok = await runCli(auditCli, ['verify', out, '--public-key', path.join(dir, 'hub.pub')]);
        expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 6 events verified .*complete chain/), stderr: '' });

        // Without a pinned key everything else is checked, but the export is NOT verified (exit 2).
        const unpinned = await runCli(auditCli, ['verify', out]);
        expect(unpinned.code).toBe(2);
        expect(unpinned.stdout).toMatch(/^NOT VERIFIED: no pinned hub key/);
        expect(unpinned.stdout).not.toMatch(/^OK/m);
        expect(unpinned.stderr).toMatch(/WARNING: no --public-key given.*NOT verified/);
        const unpinnedJson = await runCli(auditCli, ['verify', out, '--json']);
        expect(unpinnedJson.code).toBe(2);
        expect(JSON.parse(unpinnedJson.stdout)).toMatchObject({ ok: false, consistent: true, count: 6, keySource: 'manifest', signatureCheckedWithPinnedKey: false });

        // Trusting the manifest's key is an explicit choice, and still warned about.
        const trusted = await runCli(auditCli, ['verify', out, '--trust-manifest-key', '--json']);
        expect(trusted.code).toBe(0);
        expect(trusted.stderr).toMatch(/WARNING: --trust-manifest-key.*NOT a pinned hub key/);
        expect(JSON.parse(trusted.stdout)).toMatchObject({ ok: true, count: 6, keySource: 'manifest', signatureCheckedWithPinnedKey: false });
        const both = await runCli(auditCli, ['verify', out, '--trust-manifest-key', '--public-key', publicKey]);
        expect(both.code).toBe(1);
        expect(both.stderr).toMatch(/cannot be used with/);

        const text = await readFile(out, 'utf8');
        // Event 4's payload reason ends in `"two" 3`, escaped differently by each format.
        await writeFile(out, text.replace(/two(\\"+) 3/, 'two$1 9'));
        const bad = await runCli(auditCli, ['verify', out, '--public-key', publicKey]);
        expect(bad.code).toBe(2);
        expect(bad.stdout).toMatch(/First bad event \(seq 4, line \d+\): event 4 was modified/);
      });
    }

    it('exports a filtered selection (site by name) that verifies as such', async () => {
      const out = path.join(dir, 'north.ndjson');
      const exported = await runCli(hubCli, ['audit:export', '--format', 'ndjson', '--out', out, '--site', 'north', '--study', studyId, '--action', 'site.revoked', '--json', ...dbArgs]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({ count: 3, filter: { siteId: expect.any(String), studyId } });
      const key = (await runCli(hubCli, ['audit:public-key', '--data-dir', dataDir])).stdout.trim();
      const verified = await runCli(auditCli, ['verify', out, '--public-key', key]);
      expect(verified).toMatchObject({ code: 0, stdout: expect.stringMatching(/OK: 3 events verified .*filtered/) });
    });

    it('refuses a bad filter and a wrong key with a message, not a stack trace', async () => {
      const badFilter = await runCli(hubCli, ['audit:export', '--format', 'csv', '--out', path.join(dir, 'x.csv'), '--from', 'yesterday', ...dbArgs]);
      expect(badFilter).toMatchObject({ code: 1, stderr: expect.stringMatching(/INVALID_INPUT: Invalid audit export filter: from/) });
      const badFormat = await runCli(hubCli, ['audit:export', '--format', 'xml', '--out', path.join(dir, 'x.xml'), ...dbArgs]);
      expect(badFormat.code).toBe(1);
      expect(badFormat.stderr).toMatch(/Allowed choices are csv, ndjson/);
      const badKey = await runCli(auditCli, ['verify', path.join(dir, 'audit.csv'), '--public-key', 'not-a-key']);
      expect(badKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/--public-key/) });
    });
  });
}
