import { describe, expect, it } from 'vitest';
import { metrics, model, progress, round, SITE_A, SITE_B } from '../../test/progress-fixture.ts';
import { renderProgressView } from './progress-table.ts';

const now = new Date(Date.UTC(2025, 0, 1, 12, 0, 25));

describe('renderProgressView', () => {
  it('says what is happening before the study exists', () => {
    expect(renderProgressView({ title: 'Demo study', stage: 'starting-hub', progress: null, elapsedMs: 2_000, now })).toEqual([
      'Demo study   elapsed 2.0 s',
      'Starting the hub…',
    ]);
  });

  it('shows the key ceremony per site', () => {
    const p = progress({ status: 'keygen', sites: progress().sites.map((s) => ({ ...s, keySharePublished: s.siteId === SITE_B.siteId })) });
    const lines = renderProgressView({ title: 'Demo study', stage: 'running', progress: p, elapsedMs: 9_000, now });
    expect(lines).toContain('Key ceremony: 1/2 sites have published their share of the collective key');
    expect(lines).toContain('  A  Alpha Hospital  key share pending');
    expect(lines).toContain('  B  Beta Clinic     key share published');
  });

  it('has a row per round: who submitted and decrypted, the model and its pooled metrics, bytes and time', () => {
    const p = progress({
      rounds: [round(0, { openedS: 0, completedS: 2 }), round(1, { openedS: 2, completedS: 4 }), round(2, { openedS: 20, completedS: null, status: 'collecting', submitted: [SITE_B.siteId], uploadedBytes: 1500 })],
      models: [model(1, [{ site: SITE_A, metrics: metrics(60, 0.75, 0.52, 0.8) }])],
    });
    const lines = renderProgressView({ title: 'Demo study', stage: 'running', progress: p, elapsedMs: 25_000, now });
    expect(lines[1]).toBe('Running training round 2 of 2: collecting');
    const table = lines.slice(lines.findIndex((l) => l.includes('Round')));
    expect(table[0]?.trim().split(/\s{2,}/)).toEqual(['Round', 'Kind', 'Status', 'Submitted', 'Decrypted', 'Model', 'Evals', 'Accuracy', 'Loss', 'Uploaded', 'Time']);
    expect(table[2]?.trim().split(/\s{2,}/)).toEqual(['1', 'train', 'complete', 'A B', 'A B', 'v1', '1/2', '0.750', '0.520', '2.0 kB', '2.0 s']);
    // B has submitted, A has not; no member has been asked to decrypt yet (the aggregate is not
    // sealed); the round has been open for 5 s. (The empty columns collapse in the split.)
    expect(table[3]?.trim().split(/\s{2,}/)).toEqual(['2', 'train', 'collecting', '· B', '1.5 kB', '5.0 s']);
  });
});
