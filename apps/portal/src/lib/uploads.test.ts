import { describe, expect, it } from 'vitest';
import { groupUploadsByStudy, siteNameFromSegment, siteUploadsHref, uploadCount, uploadKindLabel, type Upload } from './uploads.ts';

const STUDY_A = '11111111-1111-4111-8111-111111111111';
const STUDY_B = '22222222-2222-4222-8222-222222222222';

function upload(studyId: string, roundIndex: number, kind: Upload['kind'], bytes: number, receivedAt: string): Upload {
  return {
    studyId,
    studyName: studyId === STUDY_A ? 'Sepsis' : 'Readmission',
    roundId: `${studyId}-r${roundIndex}`,
    roundIndex,
    kind,
    payloadSha256: 'a'.repeat(64),
    bytes,
    receivedAt,
  };
}

describe('groupUploadsByStudy', () => {
  it('is empty for no uploads', () => {
    expect(groupUploadsByStudy([])).toEqual([]);
  });

  it('groups per study in order of first upload, keeps the order within a study and totals the bytes', () => {
    const uploads = [
      upload(STUDY_B, 0, 'submission', 100, '2026-11-25T10:00:00Z'),
      upload(STUDY_A, 0, 'submission', 2_048, '2026-11-25T10:01:00Z'),
      upload(STUDY_B, 0, 'decryption-share', 50, '2026-11-25T10:02:00Z'),
      upload(STUDY_A, 1, 'submission', 1_024, '2026-11-25T10:03:00Z'),
    ];
    const groups = groupUploadsByStudy(uploads);
    expect(groups.map((g) => [g.studyId, g.studyName, g.uploads.length, g.totalBytes])).toEqual([
      [STUDY_B, 'Readmission', 2, 150],
      [STUDY_A, 'Sepsis', 2, 3_072],
    ]);
    expect(groups[0]!.uploads.map((u) => u.kind)).toEqual(['submission', 'decryption-share']);
    expect(groups[1]!.uploads.map((u) => u.roundIndex)).toEqual([0, 1]);
  });
});

describe('upload labels', () => {
  it('names the kinds', () => {
    expect(uploadKindLabel('submission')).toBe('Encrypted update');
    expect(uploadKindLabel('decryption-share')).toBe('Partial decryption');
  });

  it('counts uploads', () => {
    expect(uploadCount(0)).toBe('0 uploads');
    expect(uploadCount(1)).toBe('1 upload');
    expect(uploadCount(12)).toBe('12 uploads');
  });
});

describe('site names in URLs', () => {
  it('round-trips names with spaces and accents', () => {
    const name = 'Hôpital Saint-Louis';
    const href = siteUploadsHref(name);
    expect(href).toBe('/sites/H%C3%B4pital%20Saint-Louis/uploads');
    const segment = href.split('/')[2]!;
    expect(siteNameFromSegment(segment)).toBe(name);
    expect(siteNameFromSegment(name)).toBe(name); // already decoded
  });

  it('keeps a segment that is not valid percent-encoding', () => {
    expect(siteNameFromSegment('100%zz')).toBe('100%zz');
    expect(siteNameFromSegment('%E0%A4%A')).toBe('%E0%A4%A');
  });
});
