import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendAuditEvent, manifestPathFor, parseAuditExportManifest, verifyAuditExport, verifyAuditExportFile, writeAuditExport, type AuditEventInput } from '@consilium/audit';
import { auditEvents } from '@consilium/db';
import { login, Roles } from '@consilium/domain';
import { createTestAccount } from '@consilium/domain/testing';
import { and, desc, eq, lte } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../../test/hub-databases.ts';
import { createHub, type Hub } from '../create-hub.ts';
import { loadOrCreateHubSigningKey } from '../hub-signing-key.ts';

/**
 * The people's audit export over HTTP: who may, what is refused, and that what is downloaded —
 * export and manifest, fetched separately for one fixed cut — verifies offline with the audit
 * package's verifier and is byte for byte what the CLI writes.
 */
for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`people's audit export on ${target.kind}`, { timeout: 120_000 }, () => {
    let dir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    let hub: Hub;
    let url = '';
    let publicKey = '';
    const studyA = randomUUID();
    const studyB = randomUUID();
    const tokens = { compliance: '', admin: '', lead: '' };
    let complianceUserId = '';

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-audit-export-'));
      database = await target.create();
      hub = createHub({ dataDir: path.join(dir, 'hub'), databaseUrl: database.databaseUrl, logger: pino({ level: 'silent' }) });
      url = (await hub.start()).url;
      publicKey = (await loadOrCreateHubSigningKey(path.join(dir, 'hub'))).publicKey;
      const domain = hub.domain;
      const accounts = {
        compliance: await createTestAccount(domain, { role: Roles.COMPLIANCE_OFFICER }),
        admin: await createTestAccount(domain, { role: Roles.CONSORTIUM_ADMIN }),
        lead: await createTestAccount(domain, { role: Roles.STUDY_LEAD }),
      };
      complianceUserId = accounts.compliance.user.id;
      for (const [name, acct] of Object.entries(accounts)) {
        tokens[name as keyof typeof tokens] = (await login(domain, { email: acct.email, password: acct.password, ip: null, userAgent: 'test' })).token;
      }
      // Events of two studies, with CSV-hostile payloads.
      for (let i = 0; i < 40; i++) {
        const event: AuditEventInput = { action: 'study.failed', actor: i % 3 ? 'hub' : 'admin:ops, "night"', studyId: i % 2 ? studyA : studyB, payload: { reason: `line one\nline, "two" ${i} — é` } };
        await domain.db.transaction((tx) => appendAuditEvent(tx, event));
      }
    }, 120_000);
    afterAll(async () => {
      await hub?.stop();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    async function* chunks(bytes: Buffer): AsyncGenerator<Buffer> {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    }
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const get = (route: string, query: Record<string, string | number>, headers: Record<string, string> = bearer(tokens.compliance)) =>
      fetch(`${url}/v1/audit/export${route}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`, { headers });
    async function head(token = tokens.compliance): Promise<{ chainHead: { seq: number; hash: string }; publicKey: string; fingerprint: string }> {
      const response = await fetch(`${url}/v1/audit/export/head`, { headers: bearer(token) });
      expect(response.status).toBe(200);
      return (await response.json()) as never;
    }
    async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
      const body = (await response.json()) as { error: { code: string; message: string } };
      return { status: response.status, ...body.error };
    }

    it('streams an export and serves its signed manifest; both verify with the audit package against the pinned hub key', async () => {
      const now = await head();
      expect(now.publicKey).toBe(publicKey);
      expect(now.fingerprint).toMatch(/\S/);
      for (const [format, filter] of [
        ['ndjson', {}],
        ['csv', { studyId: studyA }],
      ] as const) {
        const query = { format, throughSeq: now.chainHead.seq, ...filter };
        const response = await get('', query);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(format === 'csv' ? /^text\/csv/ : /^application\/x-ndjson/);
        expect(response.headers.get('content-length')).toBeNull(); // streamed, not buffered
        expect(response.headers.get('x-consilium-audit-through-seq')).toBe(String(now.chainHead.seq));
        const disposition = response.headers.get('content-disposition')!;
        const fileName = /filename="([^"]+)"/.exec(disposition)![1]!;
        expect(fileName).toMatch(new RegExp(`^consilium-audit-through-${now.chainHead.seq}${format === 'csv' ? '-filtered-[0-9a-f]{8}' : ''}\\.${format}$`));
        const bytes = Buffer.from(await response.arrayBuffer());

        const manifestResponse = await get('/manifest', query);
        expect(manifestResponse.status).toBe(200);
        expect(manifestResponse.headers.get('content-disposition')).toBe(`attachment; filename="${fileName}.manifest.json"`);
        const manifest = parseAuditExportManifest(await manifestResponse.text());
        expect(manifest).toMatchObject({ format, filter, chainHead: now.chainHead, file: { name: fileName, bytes: bytes.length } });

        const result = await verifyAuditExport(chunks(bytes), { manifest, publicKey });
        expect(result.problems).toEqual([]);
        expect(result).toMatchObject({ ok: true, filtered: format === 'csv', count: manifest.count });
        expect(manifest.count).toBe(format === 'csv' ? 20 : now.chainHead.seq);

        // Saved side by side, the file verifies as `consilium-audit verify <file>` would check it.
        const file = path.join(dir, fileName);
        await writeFile(file, bytes);
        await writeFile(manifestPathFor(file), JSON.stringify(manifest));
        expect((await verifyAuditExportFile(file, { publicKey })).ok).toBe(true);

        // The CLI's writer, for the same cut: the same bytes.
        const cliFile = path.join(dir, `cli-${fileName}`);
        await writeAuditExport(hub.domain.db, { format, filter, out: cliFile, signingKeyPem: await readFile(path.join(dir, 'hub', 'hub-signing-key.pem'), 'utf8'), throughSeq: now.chainHead.seq });
        expect((await readFile(cliFile)).equals(bytes)).toBe(true);
      }
    });

    it('records each export in the audit log, and a fixed cut still gives the same export after that', async () => {
      const before = await head();
      const query = { format: 'ndjson', throughSeq: before.chainHead.seq, actor: 'hub' };
      const first = Buffer.from(await (await get('', query)).arrayBuffer());
      const hubEvents = (await hub.domain.db.select({ seq: auditEvents.seq }).from(auditEvents).where(and(eq(auditEvents.actor, 'hub'), lte(auditEvents.seq, before.chainHead.seq)))).length;
      expect(hubEvents).toBeGreaterThanOrEqual(26);
      const [recorded] = await hub.domain.db.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
      expect(recorded).toMatchObject({
        action: 'audit.exported',
        actor: `user:${complianceUserId}`,
        payload: { format: 'ndjson', filter: { actor: 'hub' }, throughSeq: before.chainHead.seq, count: hubEvents },
      });
      expect((await head()).chainHead.seq).toBe(before.chainHead.seq + 1);
      const again = Buffer.from(await (await get('', query)).arrayBuffer());
      expect(again.equals(first)).toBe(true);
      // The manifest does not change the log.
      await get('/manifest', query).then((r) => r.text());
      expect((await head()).chainHead.seq).toBe(before.chainHead.seq + 2);
    });

    it('detects one tampered byte and names the event', async () => {
      const now = await head();
      const query = { format: 'ndjson', throughSeq: now.chainHead.seq };
      const bytes = Buffer.from(await (await get('', query)).arrayBuffer());
      const manifest = parseAuditExportManifest(await (await get('/manifest', query)).text());
      const lines = bytes.toString('utf8').split('\n');
      const target = lines.findIndex((l) => l.includes('"reason":"line one\\nline, \\"two\\" 7 '));
      expect(target).toBeGreaterThan(0);
      const tampered = Buffer.from(lines.map((l, i) => (i === target ? l.replace('two', 'twO') : l)).join('\n'));
      expect(tampered.length).toBe(bytes.length);
      const result = await verifyAuditExport(chunks(tampered), { manifest, publicKey });
      expect(result.ok).toBe(false);
      expect(result.firstBad).toMatchObject({ seq: target + 1, line: target + 1, reason: expect.stringMatching(/hash/) });
    });

    it('lets consortium administrators export too, and refuses study leads and callers without a session', async () => {
      expect((await get('', { format: 'csv' }, bearer(tokens.admin))).status).toBe(200);
      expect(await errorOf(await get('', { format: 'csv' }, bearer(tokens.lead)))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(await errorOf(await get('/manifest', { format: 'csv', throughSeq: 1 }, bearer(tokens.lead)))).toMatchObject({ status: 403 });
      expect((await fetch(`${url}/v1/audit/export/head`, { headers: bearer(tokens.lead) })).status).toBe(403);
      expect(await errorOf(await get('', { format: 'csv' }, {}))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect((await fetch(`${url}/v1/audit/export/head`)).status).toBe(401);
      expect((await fetch(`${url}/v1/audit/export?format=csv`, { method: 'POST', headers: bearer(tokens.compliance) })).status).toBe(400);
    });

    it('answers 400 naming the parameter for a bad query', async () => {
      const cases: Array<[Record<string, string | number>, RegExp]> = [
        [{}, /format/],
        [{ format: 'xml' }, /format: expected one of: csv, ndjson/],
        [{ format: 'csv', studyId: 'not-a-uuid' }, /studyId/],
        [{ format: 'csv', action: 'study.frobnicated' }, /action/],
        [{ format: 'csv', from: 'yesterday' }, /from/],
        [{ format: 'csv', from: '2025-02-01', to: '2025-01-01' }, /to: `from` must be before `to`/],
        [{ format: 'csv', throughSeq: 'abc' }, /throughSeq/],
        [{ format: 'csv', throughSeq: 1_000_000 }, /throughSeq 1000000 is beyond the chain head/],
        [{ format: 'csv', colour: 'red' }, /colour: unknown parameter/],
      ];
      for (const [query, message] of cases) {
        const error = await errorOf(await get('', query));
        expect(error, JSON.stringify(query)).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: expect.stringMatching(message) });
      }
      expect(await errorOf(await get('/manifest', { format: 'csv' }))).toMatchObject({ status: 400, message: expect.stringMatching(/throughSeq: required/) });
      expect(await errorOf(await fetch(`${url}/v1/audit/export?format=csv&format=ndjson`, { headers: bearer(tokens.compliance) }))).toMatchObject({
        status: 400,
        message: expect.stringMatching(/format: given more than once/),
      });
    });
  });
}
