import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generateIdentity } from '@consilium/protocol';
import type { Task } from '@consilium/schemas';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFiles } from './agent-files.ts';
import type { HubConnection } from './hub-connection.ts';
import { runAgent, whyNotTakingPart, type StudyStanding } from './runner.ts';
import { StudyState } from './study-state.ts';
import { TaskContext } from './tasks/task-context.ts';
import { TransferLog } from './transfer-log.ts';

const studyId = randomUUID();
const siteId = randomUUID();

/** A training task for the study, as a hub that (wrongly, or racing a decision) still sends one would. */
const trainTask = {
  kind: 'train',
  studyId,
  roundId: randomUUID(),
  roundIndex: 1,
  deadline: new Date(Date.now() + 3600_000).toISOString(),
  encoding: { scheme: 'plaintext', length: 4 },
  modelVersionId: null,
  totalSamples: 100,
} as unknown as Task;

/** A hub whose poll lists the study with the given consent and hands out a training task for it anyway; records every other call. */
function fakeHub(consent: StudyStanding['consent'], stop: () => void) {
  const hub = {
    polls: 0,
    calls: [] as string[],
    client: {
      agent: {
        poll: {
          mutate: async () => {
            hub.polls += 1;
            if (hub.polls >= 2) stop();
            return {
              siteId,
              siteName: 'Self',
              serverTime: new Date().toISOString(),
              tasks: [trainTask],
              studies: [{ studyId, name: 'Sepsis study', status: 'running', failureReason: null, consent, pausedAt: null }],
            };
          },
        },
        study: { query: async () => (hub.calls.push('study'), Promise.reject(new Error('must not be asked'))) },
        submitUpdate: { mutate: async () => (hub.calls.push('submitUpdate'), { duplicate: false }) },
        reportClaim: { mutate: async () => (hub.calls.push('reportClaim'), { recorded: true }) },
      },
    },
    download: async () => {
      hub.calls.push('download');
      throw new Error('must not download');
    },
  };
  return hub;
}

describe('the agent works only for studies its site approved', () => {
  let root: string;
  let files: AgentFiles;
  let lines: string[];

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'consilium-runner-'));
    files = new AgentFiles(root);
    lines = [];
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  function contextFor(hub: ReturnType<typeof fakeHub>): TaskContext {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    return new TaskContext({
      files,
      config: { hubUrl: 'http://127.0.0.1:1', siteId, siteName: 'Self', datasets: {}, backend: 'auto' },
      hub: hub as unknown as HubConnection,
      logger: pino({ level: 'info' }, sink),
      progress: { start: () => ({ update: () => undefined, finish: () => undefined }) },
      transfers: new TransferLog(files.transfers),
      privateKeyPem: generateIdentity().privateKeyPem,
    });
  }

  for (const consent of ['pending', 'declined'] as const) {
    it(`ignores a training task for a study whose consent is ${consent}: nothing is trained, fetched or sent`, async () => {
      // Arrange: an upload for the study is already waiting in the outbox.
      const controller = new AbortController();
      const hub = fakeHub(consent, () => controller.abort());
      const ctx = contextFor(hub);
      await new StudyState(files, studyId).enqueue('submission', (trainTask as { roundId: string }).roundId, null, new Uint8Array(16));

      // Act
      await runAgent(ctx, { agentVersion: 'test', backend: 'cpu', pollMs: 10, untilDone: false, signal: controller.signal });

      // Assert: polled, but no study spec fetched, no model downloaded, nothing uploaded; the stored upload stays put.
      expect(hub.polls).toBeGreaterThanOrEqual(2);
      expect(hub.calls).toEqual([]);
      expect(await new StudyState(files, studyId).pending()).toHaveLength(1);
      const ignored = lines.map((l) => JSON.parse(l) as { msg: string; reason?: string; studyId?: string }).filter((l) => l.msg.startsWith('task ignored'));
      expect(ignored.length).toBeGreaterThanOrEqual(1);
      expect(ignored[0]).toMatchObject({ studyId, reason: expect.stringMatching(new RegExp(`has not approved taking part in study "Sepsis study" \\(consent ${consent}\\): a site administrator must approve it in the portal`)) });
    });
  }

  it('takes part only in approved studies that are not paused', () => {
    expect(whyNotTakingPart({ name: 'S', consent: 'approved', paused: false })).toBeNull();
    expect(whyNotTakingPart({ name: 'S', consent: 'approved', paused: true })).toMatch(/is paused/);
    expect(whyNotTakingPart({ name: 'S', consent: 'pending', paused: false })).toMatch(/has not approved/);
    expect(whyNotTakingPart(undefined)).toMatch(/not known/);
  });
});
