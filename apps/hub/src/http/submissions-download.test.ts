import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rounds, submissionChunks, submissions } from '@consilium/db';
import { HubCrypto } from '@consilium/domain';
import { runPendingTasks, type TestStudy } from '@consilium/domain/testing';
import { encodeEnvelope, envelopeContentType } from '@consilium/protocol';
import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubDatabaseTargets } from '../../test/hub-databases.ts';
import { httpTransport, signedFetch } from '../../test/http-transport.ts';
import { adminOverHttp, setUpStudyOverHttp } from '../../test/study-over-http.ts';
import { createHub, type Hub } from '../create-hub.ts';

/**
 * A round's submissions are streamed from the database part by part. The bytes must be exactly
 * what the hub sent when it built the envelope in memory from every chunk at once (the reference
 * below is that former code), and a decryptor that hangs up mid-download must not upset the hub.
 */
for (const target of hubDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`submissions download on ${target.kind}`, { timeout: 120_000 }, () => {
    let siteCrypto: HubCrypto;
    let dataDir: string;
    let database: Awaited<ReturnType<typeof target.create>>;
    let hub: Hub;
    let adminToken: string;
    const base = { url: '' };
    const transport = httpTransport(() => base.url);

    beforeAll(async () => {
      siteCrypto = new HubCrypto();
      dataDir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-submissions-'));
      database = await target.create();
      hub = createHub({ dataDir, databaseUrl: database.databaseUrl, logger: pino({ level: 'silent' }) });
      const started = await hub.start();
      base.url = started.url;
      adminToken = (await readFile(started.adminTokenFile!, 'utf8')).trim();
    });
    afterAll(async () => {
      await hub?.stop();
      await database?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await siteCrypto?.dispose();
    });

    it('sends the sealed round byte for byte as the in-memory envelope did, and survives a client that hangs up', async () => {
      const study = await setUpStudyOverHttp({ admin: adminOverHttp(base.url, adminToken), transport, siteCrypto });
      for (const site of study.sites) expect(await runPendingTasks(site, transport, study, { kinds: ['stats'] })).toBe(1);
      const round = await sealedRound(study);
      const decryptor = study.sites.find((s) => round.decryptors.includes(s.siteId))!;

      // A client that reads the head and goes away.
      const abandoned = await signedFetch(decryptor, new URL(`/v1/rounds/${round.id}/submissions`, base.url), { method: 'GET' });
      expect(abandoned.headers.get('content-type')).toBe(envelopeContentType);
      const reader = abandoned.body!.getReader();
      await reader.read();
      await reader.cancel();

      const response = await signedFetch(decryptor, new URL(`/v1/rounds/${round.id}/submissions`, base.url), { method: 'GET' });
      const streamed = new Uint8Array(await response.arrayBuffer());
      expect(Number(response.headers.get('content-length'))).toBe(streamed.byteLength);
      const reference = await inMemoryEnvelope(round.id, round.studyId);
      expect(streamed.byteLength).toBe(reference.byteLength);
      expect(Buffer.from(streamed).equals(Buffer.from(reference))).toBe(true);
      // And through the transport the sites use (what readSubmissions decodes).
      expect(Buffer.from(await transport.submissions(decryptor, round.id)).equals(Buffer.from(reference))).toBe(true);
    });

    async function sealedRound(study: TestStudy) {
      const [round] = await hub.domain.db.select().from(rounds).where(eq(rounds.studyId, study.id));
      expect(round).toMatchObject({ status: 'decrypting' });
      return round!;
    }

    /** The envelope as getRoundSubmissions and encodeEnvelope built it before streaming. */
    async function inMemoryEnvelope(roundId: string, studyId: string): Promise<Uint8Array> {
      const db = hub.domain.db;
      const accepted = await db.select().from(submissions).where(eq(submissions.roundId, roundId)).orderBy(asc(submissions.receivedAt), asc(submissions.siteId));
      const chunks = await db
        .select()
        .from(submissionChunks)
        .where(eq(submissionChunks.roundId, roundId))
        .orderBy(asc(submissionChunks.siteId), asc(submissionChunks.chunkIndex));
      const [round] = await db.select().from(rounds).where(eq(rounds.id, roundId));
      const header = {
        studyId,
        roundId,
        chunkCount: (round!.encoding as { chunkCount: number }).chunkCount,
        submissions: accepted.map((s) => ({ siteId: s.siteId, payloadSha256: s.payloadHash, signature: s.signature })),
      };
      return encodeEnvelope(header, accepted.flatMap((s) => chunks.filter((c) => c.siteId === s.siteId).map((c) => c.ciphertext)));
    }
  });
}
