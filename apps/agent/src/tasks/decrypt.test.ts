import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { generateIdentity } from '@consilium/protocol';
import { CkksParams, type DecryptTask, type KeygenTask } from '@consilium/schemas';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFiles } from '../agent-files.ts';
import type { HubConnection } from '../hub-connection.ts';
import { StudyKeys } from '../study-keys.ts';
import { StudyState } from '../study-state.ts';
import { TransferLog } from '../transfer-log.ts';
import { runDecrypt } from './decrypt.ts';
import { TaskContext } from './task-context.ts';

const studyId = randomUUID();
const self = randomUUID();
const other = randomUUID();
const third = randomUUID();
const committee = [
  { siteId: self, point: 1 },
  { siteId: other, point: 2 },
  { siteId: third, point: 3 },
];

/** A hub that records refusal reports (failing while `down`) and serves empty downloads. */
function fakeHub() {
  const hub = {
    reports: [] as Array<{ roundId: string; reason: string }>,
    down: false,
    uploads: 0,
    client: {
      agent: {
        reportRefusal: {
          mutate: async (input: { roundId: string; reason: string }) => {
            if (hub.down) throw new AppError(ErrorCode.UNAVAILABLE, 'hub down');
            hub.reports.push(input);
            return { recorded: true };
          },
        },
        submitDecryptionShare: {
          mutate: async () => {
            hub.uploads += 1;
            return { duplicate: false };
          },
        },
      },
    },
    download: async () => ({ bytes: new Uint8Array(0), headers: new Headers() }),
  };
  return hub;
}

describe('a decryptor refuses to be a decryption oracle', () => {
  let root: string;
  let files: AgentFiles;
  let hub: ReturnType<typeof fakeHub>;
  let ctx: TaskContext;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'consilium-decrypt-'));
    files = new AgentFiles(root);
    hub = fakeHub();
    ctx = new TaskContext({
      files,
      config: { hubUrl: 'http://127.0.0.1:1', siteId: self, siteName: 'Self', datasets: {}, backend: 'auto' },
      hub: hub as unknown as HubConnection,
      logger: pino({ level: 'silent' }),
      progress: { start: () => ({ update: () => undefined, finish: () => undefined }) },
      transfers: new TransferLog(files.transfers),
      privateKeyPem: generateIdentity().privateKeyPem,
    });
    const keygen: KeygenTask = {
      kind: 'keygen',
      stage: 'share',
      studyId,
      epoch: 0,
      crpSeed: 'ab'.repeat(32),
      ckks: CkksParams.parse({}),
      threshold: 2,
      committee,
      roster: committee.map((m, i) => ({ siteId: m.siteId, name: `Site ${i + 1}`, publicKey: generateIdentity().publicKey })),
      minSubmissions: 2,
    };
    const keys = new StudyKeys(files, studyId);
    await keys.pin(keygen, self);
    await keys.keepThresholdShare(0, Uint8Array.from([1, 2, 3]), 'f'.repeat(64));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const task = (overrides: Partial<DecryptTask> = {}): DecryptTask => ({
    kind: 'decrypt',
    studyId,
    roundId: '00000000-0000-4000-8000-000000000001',
    roundIndex: 3,
    deadline: new Date().toISOString(),
    chunkCount: 1,
    aggregateHash: 'b'.repeat(64),
    epoch: 0,
    decryptors: committee.slice(0, 2),
    attempt: 1,
    minSubmissions: 2,
    scaleBits: 40,
    ...overrides,
  });

  it('refuses another aggregate for a round, records it, and reports it to the hub once', async () => {
    await new StudyState(files, studyId).recordDecryption(task().roundId, 'a'.repeat(64));
    await runDecrypt(ctx, task());
    await runDecrypt(ctx, task());

    expect(hub.reports).toHaveLength(1);
    expect(hub.reports[0]!.reason).toMatch(/first asked to decrypt aggregate aaaaaaaaaaaa/);
    expect(hub.uploads).toBe(0);
    expect(await new StudyState(files, studyId).refusal(task().roundId, 1)).toMatchObject({ reported: true });
    const records = (await new TransferLog(files.transfers).read()).filter((r) => r.kind === 'decryption-refusal');
    expect(records).toEqual([expect.objectContaining({ roundId: task().roundId, attempt: 1, accepted: true, reason: hub.reports[0]!.reason })]);
  });

  it('keeps the refusal when the hub cannot be told, and reports it later without checking again', async () => {
    hub.down = true;
    await expect(runDecrypt(ctx, task({ decryptors: [{ siteId: self, point: 1 }, { siteId: randomUUID(), point: 2 }] }))).rejects.toThrow(/hub down/);
    expect(await new StudyState(files, studyId).refusal(task().roundId, 1)).toMatchObject({ reported: false });

    hub.down = false;
    await runDecrypt(ctx, task());
    expect(hub.reports).toEqual([{ roundId: task().roundId, reason: expect.stringMatching(/not 2 or more distinct members of the committee pinned/) as unknown }]);
    const records = (await new TransferLog(files.transfers).read()).filter((r) => r.kind === 'decryption-refusal');
    expect(records.map((r) => r.accepted)).toEqual([false, true]);
  });

  it('never makes a second share of an aggregate for another decryptor set', async () => {
    await new StudyState(files, studyId).enqueue('decryption-share', task().roundId, 'a1', Uint8Array.from([7]));
    await runDecrypt(ctx, task({ attempt: 2, decryptors: [committee[0]!, committee[2]!] }));
    expect(hub.reports).toEqual([{ roundId: task().roundId, reason: expect.stringMatching(/already made a decryption share of this aggregate for attempt 1/) as unknown }]);
  });
});
