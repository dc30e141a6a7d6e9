import { describe, expect, it } from 'vitest';
import { metrics, model, progress, round, SITE_A, SITE_B } from '../../test/progress-fixture.ts';
import { describeChanges } from './state-changes.ts';

describe('describeChanges', () => {
  it('starts from the study\'s status and what is already there', () => {
    const p = progress({ status: 'keygen', sites: progress().sites.map((s) => ({ ...s, keySharePublished: s.siteId === SITE_A.siteId })) });
    expect(describeChanges(null, p)).toEqual(['Alpha Hospital published its key share', 'study keygen']);
  });

  it('tells in causal order what sites did, what the hub made of it, and the round it opened', () => {
    const before = progress({ rounds: [round(0), round(1, { status: 'collecting', completedAt: null, submitted: [SITE_A.siteId], decrypted: [] })] });
    const after = progress({
      rounds: [round(0), round(1), round(2, { status: 'open', completedAt: null, submitted: [], decrypted: [] })],
      models: [model(1, [{ site: SITE_B, metrics: metrics(50, 0.8, 0.4, 0.9) }])],
    });
    expect(describeChanges(before, after)).toEqual([
      'round 1 (training): Beta Clinic submitted (encrypted)',
      'round 1 (training): Alpha Hospital sent its decryption share',
      'round 1 (training): Beta Clinic sent its decryption share',
      'round 1 (training) complete',
      'model v1 published',
      'model v1: Beta Clinic evaluated it, accuracy 0.800 (pooled over 1 site(s): accuracy 0.800, loss 0.400)',
      'round 2 (training) opened',
    ]);
  });

  it('says nothing when nothing changed', () => {
    const p = progress({ rounds: [round(0)], models: [] });
    expect(describeChanges(p, structuredClone(p))).toEqual([]);
  });

  it('gives the reasons of failures', () => {
    const before = progress({ rounds: [round(0), round(1, { completedS: null })] });
    const after = progress({
      status: 'failed',
      failureReason: 'round 1 failed',
      rounds: [round(0), round(1, { status: 'failed', completedAt: null, decrypted: [], failureReason: 'Beta Clinic missed the deadline' })],
    });
    expect(describeChanges(before, after)).toEqual(['round 1 (training) failed: Beta Clinic missed the deadline', 'study failed: round 1 failed']);
  });

  it('leaves out "(encrypted)" in a plaintext study', () => {
    const base = progress();
    const plain = { ...base, spec: { ...base.spec, privacy: { ...base.spec.privacy, secureAggregation: 'none' as const } } };
    const before = { ...plain, rounds: [round(0, { completedS: null, submitted: [] })] };
    const after = { ...plain, rounds: [round(0, { completedS: null, submitted: [SITE_A.siteId] })] };
    expect(describeChanges(before, after)).toEqual(['round 0 (statistics): Alpha Hospital submitted']);
  });
});
