import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
    await new StudyState(new AgentFiles(root), 'study-1').enqueue('submission', 'round-7', envelope);

    const afterRestart = new StudyState(new AgentFiles(root), 'study-1');
    const pending = await afterRestart.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: 'submission', roundId: 'round-7' });
    expect(Array.from(pending[0]!.envelope)).toEqual([1, 2, 3, 4]);

    await afterRestart.done(pending[0]!);
    expect(await afterRestart.pending()).toEqual([]);
  });

  it('remembers which aggregate it decrypted for each round', async () => {
    const state = new StudyState(new AgentFiles(root), 'study-1');
    expect(await state.decryptedAggregate('round-1')).toBeNull();
    await state.recordDecryption('round-1', 'a'.repeat(64));
    expect(await new StudyState(new AgentFiles(root), 'study-1').decryptedAggregate('round-1')).toBe('a'.repeat(64));
  });
});
