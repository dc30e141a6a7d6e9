import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeEnvelope, sha256Hex } from '@consilium/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFiles } from './agent-files.ts';
import { StudyState } from './study-state.ts';

describe('study state across restarts', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'consilium-state-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('keeps an upload in the outbox until it is marked done — a new process sees the same bytes', async () => {
    const envelope = Uint8Array.from([1, 2, 3, 4]);
    await new StudyState(new AgentFiles(root), 'study-1').enqueue('submission', 'round-7', null, envelope);

    const afterRestart = new StudyState(new AgentFiles(root), 'study-1');
    const pending = await afterRestart.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: 'submission', roundId: 'round-7' });
    expect(Array.from(pending[0]!.envelope)).toEqual([1, 2, 3, 4]);

    await afterRestart.done(pending[0]!);
    expect(await afterRestart.pending()).toEqual([]);
  });

  it('assembles a streamed upload on disk byte for byte as encodeEnvelope would, with the hash of its parts', async () => {
    const parts = [Uint8Array.of(1, 2, 3), Uint8Array.of(4), new Uint8Array(70_000).fill(7)];
    let produced = 0;
    function* lazily() {
      for (const part of parts) {
        produced += 1;
        yield part;
      }
    }
    const item = await new StudyState(new AgentFiles(root), 'study-1').enqueueStreamed('submission', 'round-9', null, lazily(), (payloadSha256) => ({ payloadSha256 }));
    expect(produced).toBe(3);
    expect(item.envelope).toEqual(encodeEnvelope({ payloadSha256: sha256Hex(parts) }, parts));
    const pending = await new StudyState(new AgentFiles(root), 'study-1').pending();
    expect(pending.map((p) => p.roundId)).toEqual(['round-9']);
    expect(pending[0]!.envelope).toEqual(item.envelope);
  });

  it('remembers which aggregate it decrypted for each round', async () => {
    const state = new StudyState(new AgentFiles(root), 'study-1');
    expect(await state.decryptedAggregate('round-1')).toBeNull();
    await state.recordDecryption('round-1', 'a'.repeat(64));
    expect(await new StudyState(new AgentFiles(root), 'study-1').decryptedAggregate('round-1')).toBe('a'.repeat(64));
  });

  it('keeps one upload per key epoch or decryption attempt, and knows which attempts of a round it answered', async () => {
    const state = new StudyState(new AgentFiles(root), 'study-1');
    await state.enqueue('keyshare', null, 'e0', Uint8Array.from([1]));
    expect(await state.existing('keyshare', null, 'e1')).toBeNull();
    expect(Array.from((await state.existing('keyshare', null, 'e0'))!.envelope)).toEqual([1]);

    const share = await state.enqueue('decryption-share', 'round-1', 'a2', Uint8Array.from([2]));
    await state.done(share);
    expect(await state.decryptionShareAttempts('round-1')).toEqual([2]);
    expect(await state.decryptionShareAttempts('round-2')).toEqual([]);
    expect((await state.pending()).map((p) => [p.kind, p.roundId, p.slot])).toEqual([['keyshare', null, 'e0']]);
  });

  it('remembers a refusal and whether the hub was told', async () => {
    const state = new StudyState(new AgentFiles(root), 'study-1');
    const refusal = { at: new Date().toISOString(), roundId: 'round-1', attempt: 1, reason: 'too few submissions', reported: false };
    await state.recordRefusal(refusal);
    expect(await state.refusal('round-1', 2)).toBeNull();
    await state.recordRefusal({ ...refusal, reported: true });
    expect(await new StudyState(new AgentFiles(root), 'study-1').refusal('round-1', 1)).toMatchObject({ reason: 'too few submissions', reported: true });
  });
});
