import { describe, expect, it } from 'vitest';
import type { SiteDeclaration, StudyLimits } from './components.ts';
import { isProof } from './evidence.ts';
import { checkLabelCounts, checkTrainingClaim, protocolViolation } from './submissions.ts';

const limits: StudyLimits = { maxEpochs: 2, operationsPerSample: 10, maxSamplesPerSite: 500 };
const declaration: SiteDeclaration = { datasetSize: 1000, heldOutSize: 200 };

describe('checkTrainingClaim', () => {
  it('accepts an honest claim, including one above the study cap (the cap only limits credit)', () => {
    expect(checkTrainingClaim('a', 1, { samples: 1000, epochs: 2, evaluatedSamples: 200 }, declaration, limits)).toEqual([]);
  });

  it("proves misconduct when a claim exceeds the site's own declaration or the study's epochs", () => {
    // Act
    const evidence = checkTrainingClaim('inflater', 3, { samples: 8000, epochs: 5, evaluatedSamples: 900 }, declaration, limits);

    // Assert
    expect(evidence.map((e) => [e.reason, e.claimed, e.limit])).toEqual([
      ['claim-exceeds-declared', 8000, 1000],
      ['claim-exceeds-declared', 5, 2],
      ['claim-exceeds-declared', 900, 200],
    ]);
    expect(evidence.every(isProof)).toBe(true);
    expect(evidence[0]).toMatchObject({ kind: 'submission', siteId: 'inflater', round: 3 });
  });

  it('answers non-counts with evidence instead of throwing', () => {
    const evidence = checkTrainingClaim('x', 1, { samples: NaN, epochs: -1 }, declaration, limits);
    expect(evidence.map((e) => e.reason)).toEqual(['malformed-submission', 'malformed-submission']);
  });
});

describe('checkLabelCounts', () => {
  const declarations = new Map<string, SiteDeclaration>([
    ['a', { datasetSize: 100, heldOutSize: 0 }],
    ['b', { datasetSize: 50, heldOutSize: 0 }],
  ]);

  it('accepts counts that add up to the encrypted aggregate', () => {
    const counts = new Map([
      ['a', [90, 10]],
      ['b', [30, 20]],
    ]);
    expect(checkLabelCounts(0, [120, 30], counts, declarations, true)).toEqual([]);
  });

  it('pins impossible counts on the site, and a sum mismatch on nobody', () => {
    // Arrange: b claims 40 rare cases; only 30 exist in the whole consortium, and its rows exceed its declaration.
    const counts = new Map([
      ['a', [90, 10]],
      ['b', [30, 40]],
    ]);

    // Act
    const evidence = checkLabelCounts(0, [120, 30], counts, declarations, true);

    // Assert
    expect(evidence.map((e) => [e.siteId, e.reason])).toEqual([
      ['b', 'histogram-exceeds-aggregate'],
      ['b', 'histogram-exceeds-declared'],
      [null, 'histogram-sum-mismatch'],
    ]);
    expect(evidence.filter(isProof).map((e) => e.siteId)).toEqual(['b', 'b']);
  });

  it('skips the sum check when not every site has signed its counts yet, and flags malformed vectors', () => {
    const counts = new Map([['a', [90, 10, 1]]]);
    expect(checkLabelCounts(0, [120, 30], new Map([['a', [90, 10]]]), declarations, false)).toEqual([]);
    expect(checkLabelCounts(0, [120, 30], counts, declarations, false).map((e) => e.reason)).toEqual(['malformed-submission']);
  });
});

describe('protocolViolation', () => {
  it('puts a secure-aggregation rejection into the evidence stream as proof', () => {
    const evidence = protocolViolation('s', 7, 'replayed-ciphertext', 'ciphertext digest seen in round 6');
    expect(evidence).toEqual({ kind: 'submission', siteId: 's', round: 7, reason: 'replayed-ciphertext', detail: 'ciphertext digest seen in round 6' });
    expect(isProof(evidence)).toBe(true);
  });
});
