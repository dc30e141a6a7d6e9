import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { modelVersions, rounds } from '@consilium/db';
import { createStudy, login, Roles } from '@consilium/domain';
import { createTestAccount, insertTestSite, testStudySpec } from '@consilium/domain/testing';
import { sha256Hex } from '@consilium/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../../test/hub-databases.ts';
import { createHub, type Hub } from '../create-hub.ts';

/**
 * People's model download over HTTP: the session decides (the policy of studies.progress on the
 * study in the path), and the bytes are the version's stored parameters with their hash.
 */
for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`people's model download on ${target.kind}`, { timeout: 120_000 }, () => {
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    let hub: Hub;
    let url = '';
    const fixture = { studyA: '', studyB: '', modelA: '', leadA: '', leadB: '', siteAdminA: '' };
    const parameters = new Uint8Array(new Float32Array([0.5, -1.25, 2, 0.125]).buffer);

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-model-download-'));
      database = await target.create();
      hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: pino({ level: 'silent' }) });
      url = (await hub.start()).url;
      const domain = hub.domain;
      const [leadA, leadB] = [await createTestAccount(domain, { role: Roles.STUDY_LEAD }), await createTestAccount(domain, { role: Roles.STUDY_LEAD })];
      fixture.studyA = (await createStudy(domain, { spec: testStudySpec({ name: 'Study A', encrypted: false }), actor: 'admin:test', leadUserId: leadA.user.id })).studyId;
      fixture.studyB = (await createStudy(domain, { spec: testStudySpec({ name: 'Study B', encrypted: false }), actor: 'admin:test', leadUserId: leadB.user.id })).studyId;
      const siteA = await insertTestSite(domain, 'Site A', [fixture.studyA]);
      const siteAdminA = await createTestAccount(domain, { role: Roles.SITE_ADMIN, siteId: siteA });
      const session = async (acct: { email: string; password: string }) => (await login(domain, { email: acct.email, password: acct.password, ip: null, userAgent: 'test' })).token;
      [fixture.leadA, fixture.leadB, fixture.siteAdminA] = [await session(leadA), await session(leadB), await session(siteAdminA)];
      const [round] = await domain.db
        .insert(rounds)
        .values({ studyId: fixture.studyA, index: 1, kind: 'train', status: 'complete', participants: [siteA], encoding: {}, deadlineAt: new Date() })
        .returning({ id: rounds.id });
      const [model] = await domain.db
        .insert(modelVersions)
        .values({ studyId: fixture.studyA, roundId: round!.id, version: 1, parameters, parameterCount: 4, parametersHash: sha256Hex(parameters), metrics: { trainLoss: 0.5 } })
        .returning({ id: modelVersions.id });
      fixture.modelA = model!.id;
    });
    afterAll(async () => {
      await hub?.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const download = (studyId: string, modelId: string, headers: Record<string, string> = {}, method = 'GET') =>
      fetch(`${url}/v1/studies/${studyId}/models/${modelId}/parameters`, { method, headers });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('gives the study\'s lead and its member sites\' administrators the stored parameters and their hash', async () => {
      for (const token of [fixture.leadA, fixture.siteAdminA]) {
        const response = await download(fixture.studyA, fixture.modelA, bearer(token));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(response.headers.get('x-consilium-sha256')).toBe(sha256Hex(parameters));
        expect(response.headers.get('x-consilium-model-version')).toBe('1');
        expect(response.headers.get('x-consilium-created-at')).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(parameters);
      }
      // A browser's session cookie: a GET needs no CSRF header.
      expect((await download(fixture.studyA, fixture.modelA, { cookie: `consilium_session=${fixture.leadA}` })).status).toBe(200);
    });

    it('refuses anyone else, and never confirms a model through another study', async () => {
      const refused = await download(fixture.studyA, fixture.modelA, bearer(fixture.leadB));
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      expect((await download(fixture.studyA, fixture.modelA)).status).toBe(401);
      // Study B's lead asking through their own study: not found (the model is study A's).
      expect((await download(fixture.studyB, fixture.modelA, bearer(fixture.leadB))).status).toBe(404);
      expect((await download(fixture.studyA, '00000000-0000-4000-8000-000000000000', bearer(fixture.leadA))).status).toBe(404);
      expect((await download(fixture.studyA, fixture.modelA, bearer(fixture.leadA), 'POST')).status).toBe(400);
    });
  });
}
