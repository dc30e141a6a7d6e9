import { describe, expect, it } from 'vitest';
import { actorLabel, auditExportHref, auditHref, exportCommand, exportFileNamePattern, hubAuditExportQuery, localDateTimeToIso, verifyCommand, payloadSummary, prettyPayload, readAuditRequest } from './audit.ts';

const STUDY = '0b5e4f1c-8a7d-4c39-9f0e-2a1b3c4d5e6f';
const SITE = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

describe('audit viewer helpers', () => {
  it('reads the filter and a cursor from the search parameters', () => {
    const request = readAuditRequest(
      { study: STUDY.toUpperCase(), site: SITE, actor: ' hub ', action: 'round.completed', from: '2025-03-01T09:30', to: '2025-03-02T00:00', after: '1200' },
      ['round.completed', 'study.created'],
    );
    expect(request.problems).toEqual([]);
    expect(request.filtered).toBe(true);
    expect(request.query).toEqual({
      limit: 50,
      studyId: STUDY,
      siteId: SITE,
      actor: 'hub',
      action: 'round.completed',
      from: '2025-03-01T09:30:00.000Z',
      to: '2025-03-02T00:00:00.000Z',
      after: 1200,
    });
    expect(request.form.actor).toBe('hub');
  });

  it('ignores bad parameters, saying why, and keeps the rest', () => {
    const request = readAuditRequest({ study: 'nope', action: 'round.compleed', from: '2025-03-02T00:00', to: '2025-03-01T00:00', after: '-3', newer: '17' }, ['round.completed']);
    expect(request.query).toEqual({ limit: 50, newerThan: 17 });
    expect(request.filtered).toBe(false);
    expect(request.problems).toHaveLength(3);
    expect(request.problems.join(' ')).toMatch(/study id.*round\.compleed.*"From" must be before "To"/);
    expect(readAuditRequest({ from: 'yesterday' }).problems).toEqual(['"yesterday" is not a date and time (From); it was ignored.']);
    expect(readAuditRequest({ after: ['5', '6'], newer: '9' }).query).toEqual({ limit: 50, after: 5 });
  });

  it('reads datetime-local values as UTC', () => {
    expect(localDateTimeToIso('2025-03-01T09:30')).toBe('2025-03-01T09:30:00.000Z');
    expect(localDateTimeToIso('2025-03-01T09:30:15')).toBe('2025-03-01T09:30:15.000Z');
    expect(localDateTimeToIso('2025-13-01T09:30')).toBeNull();
    expect(localDateTimeToIso('2025-03-01')).toBeNull();
  });

  it('links pages with the filter and one cursor', () => {
    const form = { study: STUDY, site: '', actor: 'admin:ops', action: '', from: '2025-03-01T09:30', to: '' };
    expect(auditHref(form)).toBe(`/audit?study=${STUDY}&actor=admin%3Aops&from=2025-03-01T09%3A30`);
    expect(auditHref(form, { after: 40 })).toMatch(/&after=40$/);
    expect(auditHref(form, { newer: 90 })).toMatch(/&newer=90$/);
    expect(auditHref({ study: '', site: '', actor: '', action: '', from: '', to: '' })).toBe('/audit');
  });

  it('spells the export command for the applied filter, quoting for the shell', () => {
    expect(exportCommand('csv', { limit: 50 })).toBe('consilium-hub audit:export --format csv --out audit-export.csv');
    expect(exportCommand('ndjson', { limit: 50, studyId: STUDY, actor: "o'brien x", from: '2025-03-01T09:30:00.000Z', after: 5 })).toBe(
      `consilium-hub audit:export --format ndjson --out audit-export.ndjson --study ${STUDY} --actor 'o'\\''brien x' --from 2025-03-01T09:30:00.000Z`,
    );
  });

  it('links the export and its manifest for the applied filter, fixed at the chain head shown', () => {
    expect(auditExportHref('csv', 'export', { limit: 50 }, 120)).toBe('/audit/export?format=csv&throughSeq=120');
    expect(auditExportHref('ndjson', 'manifest', { limit: 50 }, 0)).toBe('/audit/export/manifest?format=ndjson&throughSeq=0');
    // Cursors and the page size are the viewer's, not the export's; the filter is kept, encoded.
    const query = { limit: 50, after: 7, studyId: STUDY, actor: 'admin:ops & co', action: 'site.revoked' as const, from: '2025-03-01T09:30:00.000Z' };
    const href = auditExportHref('ndjson', 'export', query, 99);
    expect(href).toBe(`/audit/export?format=ndjson&throughSeq=99&studyId=${STUDY}&actor=admin%3Aops+%26+co&action=site.revoked&from=2025-03-01T09%3A30%3A00.000Z`);
    expect(auditExportHref('ndjson', 'manifest', query, 99)).toBe(href.replace('/audit/export?', '/audit/export/manifest?'));
    // What the portal forwards to the hub is the same query.
    const forwarded = hubAuditExportQuery(new URL(href, 'http://portal').searchParams);
    expect(forwarded).toEqual({ ok: true, query: href.split('?')[1] });
  });

  it('forwards only the export parameters, once each, and says what is wrong otherwise', () => {
    const read = (search: string) => hubAuditExportQuery(new URLSearchParams(search));
    expect(read('format=csv&studyId=&actor=hub')).toEqual({ ok: true, query: 'format=csv&actor=hub' });
    expect(read('studyId=x')).toMatchObject({ ok: false, problem: expect.stringContaining('format') });
    expect(read('format=csv&token=abc')).toMatchObject({ ok: false, problem: 'Unknown parameter "token".' });
    expect(read('format=csv&format=ndjson')).toMatchObject({ ok: false, problem: expect.stringContaining('more than once') });
    expect(read(`format=csv&actor=${'a'.repeat(201)}`)).toMatchObject({ ok: false, problem: expect.stringContaining('too long') });
  });

  it('spells the offline verification command and the downloaded file name', () => {
    expect(verifyCommand('consilium-audit-through-12.csv')).toBe('consilium-audit verify consilium-audit-through-12.csv --public-key <hub public key>');
    expect(verifyCommand('<export file>')).toBe('consilium-audit verify <export file> --public-key <hub public key>');
    expect(verifyCommand('a b.ndjson', 'KEY+/=')).toBe("consilium-audit verify 'a b.ndjson' --public-key KEY+/=");
    expect(exportFileNamePattern('ndjson', 12, false)).toBe('consilium-audit-through-12.ndjson');
    expect(exportFileNamePattern('csv', 12, true)).toBe('consilium-audit-through-12-filtered-<…>.csv');
  });

  it('summarises a payload on one line and pretty-prints it', () => {
    expect(payloadSummary({ name: 'Heart failure', specHash: 'a'.repeat(64), sites: ['x', 'y'], summary: { loss: 1 }, n: 3 })).toBe(
      'name: Heart failure, specHash: aaaaaaaaaaaa…, sites: [2], summary: {…}, n: 3',
    );
    expect(payloadSummary({ reason: 'x'.repeat(200) }, 20)).toBe(`reason: ${'x'.repeat(11)}…`);
    expect(payloadSummary({})).toBe('—');
    expect(payloadSummary(null)).toBe('null');
    expect(prettyPayload({ a: 1 })).toBe('{\n  "a": 1\n}');
  });

  it('names a site actor when the site is known', () => {
    const names = new Map([[SITE, 'St. Mary']]);
    expect(actorLabel(`site:${SITE}`, names)).toBe('site: St. Mary');
    expect(actorLabel('site:unknown', names)).toBe('site:unknown');
    expect(actorLabel('admin:ops', names)).toBe('admin:ops');
  });
});
