import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../server/hub.ts';
import { AuditEventsTable } from './audit-events-table.tsx';

const STUDY = '11111111-1111-4111-8111-111111111111';
const SITE = '33333333-3333-4333-8333-333333333333';
const HASH = '0123456789abcdef'.repeat(4);
const events: AuditEvent[] = [
  { seq: 42, occurredAt: '2026-11-25T10:05:00.000Z', actor: `site:${SITE}`, action: 'round.submission_accepted', studyId: STUDY, siteId: SITE, roundId: null, payload: { bytes: 512, payloadHash: HASH }, hash: HASH },
  { seq: 7, occurredAt: '2026-11-25T10:00:00.000Z', actor: 'admin:ops', action: 'study.created', studyId: '99999999-9999-4999-8999-999999999999', siteId: null, roundId: null, payload: { name: 'Sepsis <b>' }, hash: HASH },
];

describe('AuditEventsTable', () => {
  it('shows each event with names where known, a payload summary and its JSON', () => {
    const html = renderToStaticMarkup(
      <AuditEventsTable events={events} names={{ studies: new Map([[STUDY, 'Sepsis']]), sites: new Map([[SITE, 'St. Mary']]) }} caption="Audit events 42 to 7" />,
    );
    expect(html).toContain('<caption id="audit-events-caption" class="visually-hidden">Audit events 42 to 7</caption>');
    expect(html.match(/<tr data-seq="(\d+)"/g)).toEqual(['<tr data-seq="42"', '<tr data-seq="7"']);
    expect(html).toContain('site: St. Mary');
    expect(html).toContain(`<a title="${STUDY}" href="/studies/${STUDY}">Sepsis</a>`);
    // An unknown study: its id, shortened, in full in the title.
    expect(html).toContain('<code title="99999999-9999-4999-8999-999999999999">99999999…</code>');
    expect(html).toContain('<summary>bytes: 512, payloadHash: 0123456789ab…</summary>');
    // The payload's JSON, escaped.
    expect(html).toContain('&quot;name&quot;: &quot;Sepsis &lt;b&gt;&quot;');
    expect(html).toContain('25 Nov 2026, 10:05 UTC');
  });
});
