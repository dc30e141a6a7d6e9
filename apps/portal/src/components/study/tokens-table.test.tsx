import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../test/table-rows.ts';
import type { StudyToken } from '../../server/hub.ts';
import { TokensTable } from './tokens-table.tsx';

const STUDY = '11111111-1111-4111-8111-111111111111';
const token = (state: StudyToken['state'], siteName: string, extra: Partial<StudyToken> = {}): StudyToken => ({
  tokenId: `2222222${state.length}-2222-4222-8222-222222222222`,
  siteName,
  createdAt: '2026-11-25T09:00:00Z',
  expiresAt: '2026-12-02T09:00:00Z',
  usedAt: null,
  revokedAt: null,
  state,
  ...extra,
});

describe('TokensTable', () => {
  const tokens = [token('open', 'Hôpital Saint-Louis'), token('used', 'Karolinska Solna', { usedAt: '2026-11-25T10:00:00Z' }), token('revoked', 'Charité', { revokedAt: '2026-11-25T11:00:00Z' })];

  it('lists site, issued, expires and state, never a token value; Revoke only for open tokens', () => {
    const html = renderToStaticMarkup(<TokensTable studyId={STUDY} tokens={tokens} canRevoke />);
    expect(rowsOf(html)).toEqual([
      ['Hôpital Saint-Louis', '25 Nov 2026, 09:00 UTC', '2 Dec 2026, 09:00 UTC', 'Open', 'Revoke'],
      ['Karolinska Solna', '25 Nov 2026, 09:00 UTC', '2 Dec 2026, 09:00 UTC', 'Used 25 Nov 2026, 10:00 UTC', ''],
      ['Charité', '25 Nov 2026, 09:00 UTC', '2 Dec 2026, 09:00 UTC', 'Revoked 25 Nov 2026, 11:00 UTC', ''],
    ]);
    expect(html).not.toContain('cst_');
  });

  it('is read-only without the right to revoke, and explains an empty list', () => {
    const html = renderToStaticMarkup(<TokensTable studyId={STUDY} tokens={tokens} canRevoke={false} />);
    expect(html).not.toContain('Revoke<');
    expect(rowsOf(html)[0]).toHaveLength(4);
    expect(renderToStaticMarkup(<TokensTable studyId={STUDY} tokens={[]} canRevoke />)).toContain('No site has been invited yet.');
  });
});
