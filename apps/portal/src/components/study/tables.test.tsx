import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../test/table-rows.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { ModelsTable } from './models-table.tsx';
import { RoundsTable } from './rounds-table.tsx';
import { SiteMetricsTable } from './site-metrics-table.tsx';
import { SitesTable } from './sites-table.tsx';

const SITE_A = '11111111-1111-4111-8111-111111111111';
const SITE_B = '22222222-2222-4222-8222-222222222222';
const SITE_C = '33333333-3333-4333-8333-333333333333';

const rounds: StudyProgress['rounds'] = [
  {
    id: 'r0',
    index: 0,
    kind: 'stats',
    status: 'complete',
    openedAt: '2026-11-25T10:00:00Z',
    deadlineAt: '2026-11-25T10:10:00Z',
    decryptDeadlineAt: '2026-11-25T10:15:00Z',
    completedAt: '2026-11-25T10:02:00Z',
    failureReason: null,
    participants: [SITE_A, SITE_B, SITE_C],
    submitted: [SITE_A, SITE_B, SITE_C],
    // A 2-of-3 committee: two members decrypt, the third is not asked.
    decryptors: [SITE_A, SITE_B],
    decrypted: [SITE_A, SITE_B],
    uploadedBytes: 3 * 1024 * 1024,
    result: null,
  },
  {
    id: 'r1',
    index: 1,
    kind: 'train',
    status: 'collecting',
    openedAt: '2026-11-25T10:03:00Z',
    deadlineAt: '2026-11-25T10:13:00Z',
    decryptDeadlineAt: null,
    completedAt: null,
    failureReason: null,
    participants: [SITE_A, SITE_B],
    submitted: [SITE_A],
    decryptors: [],
    decrypted: [],
    uploadedBytes: 1536,
    result: null,
  },
];

describe('study tables', () => {
  it('rounds: status, submitted count, decrypted count out of the t members asked, upload size', () => {
    const html = renderToStaticMarkup(<RoundsTable rounds={rounds} encrypted />);
    expect(html).toContain('<caption id="rounds-caption" class="visually-hidden">Rounds, oldest first</caption>');
    expect(rowsOf(html)).toEqual([
      ['0', 'Statistics', 'Complete', '3 / 3', '2 / 2', '3.0 MiB', '25 Nov 2026, 10:00 UTC', '25 Nov 2026, 10:02 UTC'],
      ['1', 'Training', 'Collecting', '1 / 2', '—', '1.5 KiB', '25 Nov 2026, 10:03 UTC', 'Deadline 25 Nov 2026, 10:13 UTC'],
    ]);
    // Without encryption there is nothing to decrypt: no column for it.
    expect(rowsOf(renderToStaticMarkup(<RoundsTable rounds={rounds} encrypted={false} />))[0]).toHaveLength(7);
  });

  it('models: pooled accuracy, loss, AUC and the round each came from', () => {
    const models: StudyProgress['models'] = [
      {
        id: 'm1',
        version: 1,
        roundId: 'r1',
        parametersHash: 'ab'.repeat(32),
        metrics: null,
        evaluations: [
          { siteId: SITE_A, siteName: 'A', final: false, metrics: { n: 100, accuracy: 0.8, loss: 0.45, auc: 0.81, positiveRate: 0.2 } },
          { siteId: SITE_B, siteName: 'B', final: false, metrics: { n: 300, accuracy: 0.9, loss: 0.3, auc: 0.85, positiveRate: 0.1 } },
        ],
        pooled: { n: 400, accuracy: 0.875, loss: 0.3375, meanAuc: 0.83 },
      },
      { id: 'm2', version: 2, roundId: 'gone', parametersHash: 'cd'.repeat(32), metrics: null, evaluations: [], pooled: null },
    ];
    expect(rowsOf(renderToStaticMarkup(<ModelsTable models={models} rounds={rounds} />))).toEqual([
      ['v1', '1', '87.5 %', '0.338', '0.830', '400', '2', `${'ab'.repeat(6)}…`],
      ['v2', '—', '—', '—', '—', '—', '0', `${'cd'.repeat(6)}…`],
    ]);

    // With the study: each version's downloads, links to the portal's model route.
    const withDownloads = renderToStaticMarkup(<ModelsTable models={models} rounds={rounds} studyId="s1" />);
    expect(rowsOf(withDownloads)[0]!.at(-1)).toBe('model.json weights.bin Model card Model card (JSON)');
    expect(withDownloads).toContain('<a href="/studies/s1/models/2?file=model-card.md" download="" aria-label="Model card, version 2">Model card</a>');

    // Each site's validation of a version, by site name; an empty state before any report.
    const sites = renderToStaticMarkup(<SiteMetricsTable model={models[0]!} captionId="c1" />);
    expect(sites).toContain('<caption id="c1" class="visually-hidden">Validation of model version 1 by each site</caption>');
    expect(rowsOf(sites)).toEqual([
      ['A', '80.0 %', '0.810', '0.450', '100', '20.0 %'],
      ['B', '90.0 %', '0.850', '0.300', '300', '10.0 %'],
    ]);
    expect(renderToStaticMarkup(<SiteMetricsTable model={models[1]!} captionId="c2" />)).toContain('No site has validated version 2 yet.');
  });

  it('sites: consent, last seen relative to the request time, key share state; empty state without sites', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    const sites: StudyProgress['sites'] = [
      { siteId: SITE_A, name: 'Hôpital Saint-Louis', lastSeenAt: '2026-11-25T11:58:00Z', agentVersion: '0.1.0', backend: 'wasm', keySharePublished: true, consent: 'approved', consentDecidedAt: null },
      { siteId: SITE_B, name: 'Karolinska Solna', lastSeenAt: null, agentVersion: null, backend: null, keySharePublished: false, consent: 'pending', consentDecidedAt: null },
    ];
    expect(rowsOf(renderToStaticMarkup(<SitesTable sites={sites} encrypted now={now} />))).toEqual([
      ['Hôpital Saint-Louis', 'Approved', '2 minutes ago 25 Nov 2026, 11:58 UTC', '0.1.0', 'wasm', 'Published'],
      ['Karolinska Solna', 'Pending', 'Never', '—', '—', 'Pending'],
    ]);
    expect(renderToStaticMarkup(<SitesTable sites={[]} encrypted now={now} />)).toContain('No sites have enrolled yet.');
  });
});
