import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { progress, round } from '../../test/progress-fixture.ts';
import { readTransferLog, siteUploads } from './transfer-logs.ts';

const line = (record: Record<string, unknown>) => JSON.stringify({ at: '2025-01-01T12:00:00Z', sha256: null, ...record });

describe('site uploads from an agent transfer log', () => {
  it('sums updates and decryption shares per round, key shares apart, and only for this study', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-transfers-'));
    await writeFile(
      path.join(dir, 'transfers.ndjson'),
      [
        line({ kind: 'enrolment', studyId: 'study-1', roundId: null, bytes: 44 }),
        line({ kind: 'keyshare', studyId: 'study-1', roundId: null, bytes: 1000 }),
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-0', bytes: 300 }),
        line({ kind: 'decryption-share', studyId: 'study-1', roundId: 'round-0', bytes: 100 }),
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-1', bytes: 500 }),
        // A re-send after a restart left the site again: it counts.
        line({ kind: 'submission', studyId: 'study-1', roundId: 'round-1', bytes: 500, duplicate: true }),
        line({ kind: 'evaluation', studyId: 'study-1', roundId: 'model-1', bytes: 90 }),
        line({ kind: 'submission', studyId: 'other-study', roundId: 'round-x', bytes: 7777 }),
        'not json',
        '',
      ].join('\n'),
    );
    const uploads = siteUploads(await readTransferLog(dir), progress({ rounds: [round(0), round(1)] }));
    expect(uploads).toEqual({ perRound: [400, 1000], keyShare: 1000, total: 44 + 1000 + 400 + 1000 + 90 });
  });

  it('is empty for an agent that never uploaded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-transfers-'));
    expect(await readTransferLog(dir)).toEqual([]);
    expect(siteUploads([], progress({ rounds: [round(0)] }))).toEqual({ perRound: [0], keyShare: 0, total: 0 });
  });
});
