/**
 * A hub replica killed (SIGKILL) with an upload in flight: the request body half sent, the rest still
 * to come. Three replicas on one PostgreSQL database, one agent per replica. In a training round, one
 * site's agent is frozen (SIGSTOP) the moment its signed submission lands in its outbox — before the
 * agent sends it — and, once every other update is in, that very submission (the outbox bytes, the
 * request signed with the site's identity key exactly as the agent signs it) is POSTed to the site's
 * replica over a raw socket: headers and half the body, slowly, then the replica is killed. The
 * connection dies, nothing of the half upload reached the database, the replica comes back on its
 * port, the agent is let go and sends the submission from its outbox. The study finishes with that
 * update counted exactly once, and the audit chain verifies through every replica.
 *
 * Real processes over real HTTP; needs DATABASE_URL (a scratch database, dropped afterwards).
 */
import { watch, type FSWatcher } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEnvelope, signRequest } from '@consilium/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { faultStudySpec, problemsOfFinishedStudy, siteIdOf, sorted, TRAINING_ROUNDS } from './support/fault-study.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { readHubUploads } from './support/hub-records.ts';
import { ReplicaConsortium, type ReplicaSite } from './support/replica-consortium.ts';
import { problemsOfSiteUploads, readTransferLines } from './support/site-uploads.ts';

const REPLICAS = 3;
/** The replica killed (index): the one the second site's agent talks to. */
const VICTIM = 1;
/** The agent's update route (tRPC over httpLink: one POST, the envelope as application/octet-stream). */
const SUBMIT_PATH = '/trpc/agent.submitUpdate';
/** The half body goes out in this many writes, this far apart. */
const HALF_BODY_WRITES = 16;
const WRITE_GAP_MS = 25;

const target = hubDatabaseTargets().find((t) => t.kind === 'postgres')!;

/** A site's submission for a round, caught in its outbox with the agent frozen before sending it. */
interface CaughtSubmission {
  roundId: string;
  roundIndex: number;
  submittedBefore: string[];
  envelope: Uint8Array;
}

/**
 * Waits for a training round the site has yet to submit to, and freezes its agent as soon as the
 * submission is renamed into its outbox (inotify, in this process: the agent still has to read the
 * file back, decode and sign before a byte goes out). Then waits until every other update is in. When
 * the agent got its update out first anyway, lets it go and tries the next round.
 */
async function catchSubmission(consortium: ReplicaConsortium, site: ReplicaSite): Promise<CaughtSubmission> {
  const outbox = path.join(site.dir, 'studies', consortium.studyId, 'outbox');
  for (let attempt = 1; attempt < TRAINING_ROUNDS; attempt++) {
    const roundId = await consortium.waitFor(
      'a training round the site has yet to submit to',
      (progress) => {
        const round = progress.rounds.at(-1);
        if (round?.kind !== 'train' || (round.status !== 'open' && round.status !== 'collecting')) return false;
        return !round.submitted.includes(siteIdOf(progress, site.name)) && round.id;
      },
      { timeoutMs: 90_000, pollMs: 20 },
    );
    const name = `submission--${roundId}.bin`;
    await mkdir(outbox, { recursive: true });
    let watcher: FSWatcher | undefined;
    let frozen = false;
    const freeze = () => {
      if (frozen) return;
      frozen = true;
      consortium.freezeAgent(site);
    };
    const written = new Promise<void>((resolve) => {
      watcher = watch(outbox, (_event, file) => {
        if (file === name) {
          freeze();
          resolve();
        }
      });
    });
    // Written before the watch began?
    if (await access(path.join(outbox, name)).then(() => true, () => false)) freeze();
    const timeout = sleep(60_000).then(() => Promise.reject(new Error(`${site.name} never wrote ${name}`)));
    try {
      if (!frozen) await Promise.race([written, timeout]);
    } finally {
      watcher?.close();
    }
    const state = await consortium.waitFor(
      'the round collecting with every other update',
      (progress) => {
        const round = progress.rounds.find((r) => r.id === roundId);
        if (!round) return false;
        if (round.submitted.includes(siteIdOf(progress, site.name)) || (round.status !== 'open' && round.status !== 'collecting')) return { round, missed: true };
        return round.status === 'collecting' && round.submitted.length === round.participants.length - 1 && { round, missed: false };
      },
      { timeoutMs: 60_000, pollMs: 50 },
    );
    if (!state.missed) {
      const envelope = new Uint8Array(await readFile(path.join(outbox, name)));
      return { roundId, roundIndex: state.round.index, submittedBefore: state.round.submitted, envelope };
    }
    console.info(`[e2e] replica-upload-kill: ${site.name} sent its update of round ${state.round.index} before it was frozen; trying the next round`);
    consortium.thawAgent(site);
  }
  throw new Error(`${site.name} sent every update before it could be frozen`);
}

describe.skipIf(target.skipReason !== null)(`a hub replica killed mid-upload${target.skipReason ? ` (${target.skipReason})` : ''}`, () => {
  let consortium: ReplicaConsortium | undefined;
  afterEach(async () => {
    await consortium?.close();
    consortium = undefined;
  });

  it('loses nothing of a half-received submission and counts the re-sent one exactly once', async () => {
    const started = performance.now();
    const timings: Record<string, number> = {};
    const mark = (label: string) => (timings[label] = Math.round(performance.now() - started));

    consortium = new ReplicaConsortium({ label: 'replica-upload-kill', target, spec: faultStudySpec(), replicas: REPLICAS, sites: 3 });
    await consortium.start();
    mark('enrolled');
    const site = consortium.sites.find((s) => s.replica === VICTIM)!;
    const siteId = siteIdOf(await consortium.progress(), site.name);

    const caught = await catchSubmission(consortium, site);
    mark('submission caught');
    const { header } = decodeEnvelope(caught.envelope, { maxHeaderBytes: 16384, maxParts: 1e7, maxPartBytes: 2 ** 31, maxTotalBytes: 2 ** 40 });
    const payloadSha256 = (header as { payloadSha256: string }).payloadSha256;

    // The agent's own request: its outbox bytes, signed with its identity key (as HubConnection does).
    const privateKeyPem = await readFile(path.join(site.dir, 'identity.key'), 'utf8');
    const signature = signRequest({ privateKeyPem, siteId, method: 'POST', path: SUBMIT_PATH, body: caught.envelope });
    const victimUrl = consortium.hub(VICTIM).url;
    const upload = request(new URL(SUBMIT_PATH, victimUrl), {
      method: 'POST',
      headers: { ...signature, 'content-type': 'application/octet-stream', 'content-length': String(caught.envelope.byteLength) },
    });
    const outcome = new Promise<{ status: number } | { error: NodeJS.ErrnoException }>((resolve) => {
      upload.once('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      upload.once('error', (error) => resolve({ error }));
    });
    let answered = false;
    void outcome.then(() => (answered = true));
    upload.flushHeaders();
    const half = Math.floor(caught.envelope.byteLength / 2);
    const step = Math.ceil(half / HALF_BODY_WRITES);
    for (let at = 0; at < half; at += step) {
      upload.write(caught.envelope.subarray(at, Math.min(at + step, half)));
      await sleep(WRITE_GAP_MS);
    }
    await sleep(200);
    expect(answered, 'the replica is still waiting for the rest of the body').toBe(false);
    expect(upload.socket?.bytesWritten ?? 0, 'half the body went out').toBeGreaterThanOrEqual(half);
    await consortium.killReplica(VICTIM);
    mark('replica killed mid-upload');
    const result = await outcome;
    expect('error' in result, `the upload's connection died with the replica (got ${JSON.stringify(result)})`).toBe(true);
    if ('error' in result) expect(result.error.code ?? result.error.message).toMatch(/ECONNRESET|EPIPE|socket hang up/);

    // Nothing of the half upload was kept: no row, no audit acceptance, not counted in the round.
    const afterKill = await consortium.database!.read((db) => readHubUploads(db, [caught.roundId]));
    const mine = (r: { kind: string; siteId: string }) => r.kind === 'submission' && r.siteId === siteId;
    expect(afterKill.stored.filter(mine)).toEqual([]);
    expect(afterKill.audited.filter(mine)).toEqual([]);
    const roundAfterKill = (await consortium.client(0).studies.progress.query({ studyId: consortium.studyId })).rounds.find((r) => r.id === caught.roundId)!;
    expect(roundAfterKill.status).toBe('collecting');
    expect(sorted(roundAfterKill.submitted)).toEqual(sorted(caught.submittedBefore));

    const restarted = await consortium.startReplica(VICTIM);
    expect(restarted.url).toBe(victimUrl);
    mark('replica restarted');
    consortium.thawAgent(site);

    const { progress, agentExitCodes } = await consortium.finish(150_000);
    mark('finished');
    console.info(`[e2e] replica-upload-kill: killed replica ${VICTIM + 1} with ${half} of ${caught.envelope.byteLength} bytes of ${site.name}'s round ${caught.roundIndex} update received; timings (ms since start) ${JSON.stringify(timings)}`);

    expect(problemsOfFinishedStudy(progress)).toEqual([]);
    expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
      [0, 'stats', 'complete'],
      ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'train', 'complete']),
    ]);
    const interrupted = progress.rounds.find((r) => r.id === caught.roundId)!;
    expect(sorted(interrupted.submitted)).toEqual(sorted(interrupted.participants));
    expect(interrupted.submitted.filter((s) => s === siteId)).toHaveLength(1);
    expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

    // The site's update of that round: exactly one row and one audit acceptance, of the outbox's payload.
    const records = await consortium.database!.read((db) => readHubUploads(db, progress.rounds.map((r) => r.id)));
    const ofRound = (r: { kind: string; siteId: string; roundId: string }) => mine(r) && r.roundId === caught.roundId;
    expect(records.stored.filter(ofRound).map((r) => r.payloadHash)).toEqual([payloadSha256]);
    expect(records.audited.filter(ofRound).map((r) => r.payloadHash)).toEqual([payloadSha256]);
    const sent = (await readTransferLines(site.dir)).filter((t) => t.studyId === consortium!.studyId && t.kind === 'submission' && t.roundId === caught.roundId);
    expect(sent.map((t) => [t.sha256, t.accepted])).toEqual([[payloadSha256, true]]);

    // Every site's uploads, every round: counted once; the audit chain verifies through each replica.
    for (const s of consortium.sites) {
      const transfers = (await readTransferLines(s.dir)).filter((t) => t.studyId === consortium!.studyId);
      expect(problemsOfSiteUploads(progress.rounds, siteIdOf(progress, s.name), records, transfers), s.name).toEqual([]);
    }
    for (let i = 0; i < REPLICAS; i++) expect(await consortium.client(i).audit.verify.query(), `audit chain through replica ${i + 1}`).toMatchObject({ ok: true, firstBreak: null });
  }, 180_000);
});
