import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { groupUploadsByStudy } from '../../lib/uploads.ts';
import type { SiteUpload } from '../../server/hub.ts';
import { UploadsTable } from './uploads-table.tsx';

const HASH = '0123456789abcdef'.repeat(4);
const uploads: SiteUpload[] = [
  {
    studyId: '11111111-1111-4111-8111-111111111111',
    studyName: 'Sepsis',
    roundId: '22222222-2222-4222-8222-222222222222',
    roundIndex: 3,
    kind: 'submission',
    payloadSha256: HASH,
    bytes: 2_621_440,
    receivedAt: '2026-11-25T10:00:00Z',
  },
  {
    studyId: '11111111-1111-4111-8111-111111111111',
    studyName: 'Sepsis',
    roundId: '22222222-2222-4222-8222-222222222222',
    roundIndex: 3,
    kind: 'decryption-share',
    payloadSha256: HASH.toUpperCase(),
    bytes: 512,
    receivedAt: '2026-11-25T10:05:00Z',
  },
];

describe('UploadsTable', () => {
  it('shows round, kind, human and exact size, the full hash and the time', () => {
    const html = renderToStaticMarkup(<UploadsTable group={groupUploadsByStudy(uploads)[0]!} headingId="s0" />);
    expect(html).toContain('Encrypted update');
    expect(html).toContain('Partial decryption');
    expect(html).toContain('2.5 MiB');
    expect(html).toContain('title="2,621,440 bytes"');
    expect(html).toContain('512 B');
    expect(html).toContain(`>${HASH}</code>`);
    expect(html).toContain('25 Nov 2026, 10:00 UTC');
    expect(html.match(/<tr data-kind=/g)).toHaveLength(2);
  });
});
