import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubCrypto } from '@consilium/domain';
import { snapshotState, type SimulatedSite, type TestStudy } from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { signRequest } from '@consilium/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../../test/hub-databases.ts';
import { httpTransport, signedFetch } from '../../test/http-transport.ts';
import { adminOverHttp, setUpStudyOverHttp, statsUpload } from '../../test/study-over-http.ts';
import { createHub, type Hub } from '../create-hub.ts';

/**
 * The hub reads a request body only up to `limits.maxBodyBytes`: a larger one — declared by its
 * Content-Length, or discovered while streaming a chunked body — is answered 413 with a domain
 * error and Connection: close, and nothing is stored. The limit here (70 000 bytes) admits one
 * ciphertext (a real submission) but not two.
 */
const LIMIT = 70_000;
const silent = pino({ level: 'silent' });

for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`request body limit on ${target.kind}`, { timeout: 60_000 }, () => {
    let siteCrypto: HubCrypto;
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    let hub: Hub;
    let url: string;
    let study: TestStudy;
    let site: SimulatedSite;
    /** A submission within the limit, and one twice its size. */
    let fits: Uint8Array;
    let tooLarge: Uint8Array;

    beforeAll(async () => {
      siteCrypto = new HubCrypto();
      dataDir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-limit-'));
      database = await target.create();
      // The key ceremony's dealings (a sealed share per committee member) exceed the limit: run it
      // on a hub with the default limit, then restart the hub on the same data with the small one.
      hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: silent });
      const started = await hub.start();
      url = started.url;
      const token = (await readFile(started.adminTokenFile!, 'utf8')).trim();
      const transport = httpTransport(() => url);
      study = await setUpStudyOverHttp({ admin: adminOverHttp(url, token), transport, siteCrypto });
      await hub.stop();
      hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: silent, limits: { maxBodyBytes: LIMIT } });
      url = (await hub.start()).url;
      site = study.sites[0]!;
      const upload = await statsUpload(site, transport, study);
      fits = upload.envelope;
      // Signed and well formed but for its size: two ciphertexts.
      tooLarge = site.envelope('submission', study.id, upload.roundId, [...upload.parts, ...upload.parts]);
      expect(fits.byteLength).toBeLessThan(LIMIT);
      expect(tooLarge.byteLength).toBeGreaterThan(LIMIT);
    }, 60_000);
    afterAll(async () => {
      await hub?.stop();
      await database?.drop();
      await siteCrypto?.dispose();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const submitPath = '/trpc/agent.submitUpdate';
    const expectTooLarge = async (response: Response, message: string) => {
      expect(response.status).toBe(413);
      // The hub stops reading and drops the connection; it must say so, or the client's next
      // request goes out on the dead socket (the control test below would then fail).
      expect(response.headers.get('connection')).toBe('close');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
      expect(body.error.message).toContain(message);
    };

    it('answers 413 to a body whose Content-Length exceeds the limit, and stores nothing', async () => {
      const before = await snapshotState(hub.domain.db);
      const response = await signedFetch(site, new URL(submitPath, url), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: tooLarge });
      await expectTooLarge(response, `Request body of ${tooLarge.byteLength} bytes exceeds the hub's limit of ${LIMIT} bytes`);
      expect(await snapshotState(hub.domain.db)).toEqual(before);
    });

    it('answers 413 to a streamed body (no Content-Length) once it passes the limit, and stores nothing', async () => {
      const before = await snapshotState(hub.domain.db);
      const headers = new Headers({ 'content-type': 'application/octet-stream' });
      for (const [name, value] of Object.entries(signRequest({ privateKeyPem: site.identity.privateKeyPem, siteId: site.siteId, method: 'POST', path: submitPath, body: tooLarge }))) {
        headers.set(name, value);
      }
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < tooLarge.byteLength; at += 16 * 1024) controller.enqueue(tooLarge.slice(at, at + 16 * 1024));
          controller.close();
        },
      });
      const response = await fetch(new URL(submitPath, url), { method: 'POST', headers, body: stream, duplex: 'half' });
      await expectTooLarge(response, `Request body exceeds the hub's limit of ${LIMIT} bytes`);
      expect(await snapshotState(hub.domain.db)).toEqual(before);
    });

    it('refuses an unsigned binary upload before reading its body', async () => {
      const before = await snapshotState(hub.domain.db);
      const response = await fetch(new URL(submitPath, url), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: fits });
      expect(response.status).toBe(401);
      expect(response.headers.get('connection')).toBe('close');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(await snapshotState(hub.domain.db)).toEqual(before);
    });

    it('holds JSON calls to 1 MiB, whatever the upload limit', async () => {
      const huge = JSON.stringify({ token: 'x'.repeat(1024 * 1024 + 10), publicKey: 'k', agentVersion: '1' });
      const response = await fetch(new URL('/trpc/enrollment.enroll', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
      await expectTooLarge(response, "exceeds the hub's limit of 1048576 bytes");
    });

    it('then accepts a submission within the limit through the same route (control)', async () => {
      const response = await signedFetch(site, new URL(submitPath, url), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: fits });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ result: { data: { duplicate: false, submissionsSoFar: 1 } } });
    });
  });
}
