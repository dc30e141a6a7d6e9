import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { progress, round } from '../../test/progress-fixture.ts';
import { readTransferLog, siteUploads } from './transfer-logs.ts';

const line = (record: Record<string, unknown>) => JSON.stringify({ at: '2025-01-01T12:00:00Z', sha256: null, ...record });

describe('site uploads from an agent transfer log', () => {
  it('sums updates and decryption shares per round, the key ceremony apart, and only for this study', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-transfers-'));
    await writeFile(
      path.join(dir, 'transfers.ndjson'),
      [
        line({ kind: 'enrolment', studyId: 'study-1', roundId: null, bytes: 44 }),
        // The three ceremony stages: public-key share, dealing (sealed Shamir shares), key confirmation.
        line({ kind: 'keyshare', studyId: 'study-1', roundId: null, bytes: 1000, wireBytes: 1200 }),
        line({ kind: 'dealing', studyId: 'study-1', roundId: null, bytes: 3000, wireBytes: 3300 }),
        line({ kind: 'key-confirmation', studyId: 'study-1', roundId: null, bytes: 120 }),
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-0', bytes: 300 }),
        line({ kind: 'decryption-share', studyId: 'study-1', roundId: 'round-0', bytes: 100 }),
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-1', bytes: 500 }),
        // A re-send after a restart left the site again: it counts.
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-1', bytes: 500, duplicate: true }),
        // Round 1: this site refused to decrypt and reported why.
        line({ kind: 'decryption-refusal', studyId: 'study-1', roundId: 'round-1', bytes: 60, reason: 'not a sum of enough submissions', attempt: 1, accepted: true }),
        line({ kind: 'evaluation', studyId: 'study-1', roundId: 'model-1', bytes: 90 }),
        line({ kind: 'submission', studyId: 'other-study', roundId: 'round-x', bytes: 7777 }),
        line({ kind: 'dealing', studyId: 'other-study', roundId: null, bytes: 8888 }),
        'not json',
        '',
      ].join('\n'),
    );
    const records = await readTransferLog(dir);
    expect(records.map((r) => r.kind)).toEqual([
      'enrolment',
      'keyshare',
      'dealing',
      'key-confirmation',
      'submission',
      'decryption-share',
      'submission',
      'submission',
      'decryption-refusal',
      'evaluation',
      'submission',
      'dealing',
    ]);
    const uploads = siteUploads(records, progress({ rounds: [round(0), round(1)] }));
    expect(uploads).toEqual({
      perRound: [300 + 100, 500 + 500 + 60],
      keyShare: 1200 + 3300 + 120,
      total: 44 + (1200 + 3300 + 120) + (300 + 100) + (500 + 500 + 60) + 90,
    });
  });

  it('reads every kind of record the agent writes', async () => {
    // The kinds of apps/agent's TransferRecord, read from its source: a kind the demo could not
    // parse would silently drop that record's bytes from the totals.
    const source = await readFile(path.join(path.dirname(fileURLToPath(import.meta.resolve('@consilium/agent'))), 'transfer-log.ts'), 'utf8');
    const union = /interface TransferRecord \{[^}]*?\bkind: ([^;]+);/s.exec(source)?.[1];
    const agentKinds = [...(union ?? '').matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    expect(agentKinds).toContain('dealing');
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-transfers-'));
    await writeFile(path.join(dir, 'transfers.ndjson'), agentKinds.map((kind) => line({ kind, studyId: 'study-1', roundId: null, bytes: 1 })).join('\n'));
    expect((await readTransferLog(dir)).map((r) => r.kind)).toEqual(agentKinds);
  });

  it('is empty for an agent that never uploaded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-transfers-'));
    expect(await readTransferLog(dir)).toEqual([]);
    expect(siteUploads([], progress({ rounds: [round(0)] }))).toEqual({ perRound: [0], keyShare: 0, total: 0 });
  });
});
