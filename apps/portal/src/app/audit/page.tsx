import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { AuditEventsTable } from '../../components/audit/audit-events-table.tsx';
import { AuditFilterForm } from '../../components/audit/audit-filter-form.tsx';
import { IntegrityBanner, IntegrityPending } from '../../components/audit/integrity-banner.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ProblemNotice } from '../../components/problem-notice.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { auditExportHref, auditHref, exportCommand, exportFileNamePattern, readAuditRequest, verifyCommand, type AuditRequest, type SearchParams } from '../../lib/audit.ts';
import { formatInteger } from '../../lib/format.ts';
import { getAuditExportHead, type AuditExportHead } from '../../server/audit-export.ts';
import { listAuditActions, listAuditEvents, listSites, listStudies, type AuditEventsPage, type HubResult } from '../../server/hub.ts';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const [actions, studies, sites, head] = await Promise.all([listAuditActions(), listStudies(), listSites(), getAuditExportHead()]);
  const request = readAuditRequest(params, actions.ok ? actions.data : null);
  const page = await listAuditEvents(request.query);
  const studyNames = new Map(studies.ok ? studies.data.map((s) => [s.id, s.name]) : []);
  const siteNames = new Map(sites.ok ? sites.data.map((s) => [s.id, s.name]) : []);

  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <RefreshButton />
      </div>
      <p className="lead">
        Every change the hub made, in one hash-chained log: newest first. Filter by study, site, actor, action or time; times are UTC.
      </p>
      <Suspense fallback={<IntegrityPending />}>
        <IntegrityBanner />
      </Suspense>
      <section className="panel" aria-labelledby="audit-filter-heading">
        <h2 id="audit-filter-heading">Filter</h2>
        <AuditFilterForm
          form={request.form}
          studies={[...studyNames].map(([value, label]) => ({ value, label }))}
          sites={[...siteNames].map(([value, label]) => ({ value, label }))}
          actions={actions.ok ? actions.data : []}
        />
        {request.problems.length > 0 ? (
          <div className="notice notice--warning" role="alert" data-problem="filter">
            {request.problems.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </div>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="audit-events-heading">
        <h2 id="audit-events-heading">Events</h2>
        {page.ok ? (
          <Events page={page.data} request={request} names={{ studies: studyNames, sites: siteNames }} />
        ) : (
          <ProblemNotice problem={page.problem} />
        )}
      </section>
      <ExportPanel request={request} head={head} />
    </>
  );
}

function Events({ page, request, names }: { page: AuditEventsPage; request: AuditRequest; names: { studies: Map<string, string>; sites: Map<string, string> } }) {
  if (page.events.length === 0) {
    const paged = request.query.after !== undefined || request.query.newerThan !== undefined;
    return (
      <EmptyState title={request.filtered ? 'No events match this filter.' : paged ? 'No events on this page.' : 'The audit log is empty.'}>
        {request.filtered || paged ? (
          <p>
            <Link href="/audit">Show the whole log</Link>, newest first.
          </p>
        ) : (
          <p>The hub records an event for every change it makes: studies, sites, rounds, keys and sign-ins.</p>
        )}
      </EmptyState>
    );
  }
  const newest = page.events[0]!.seq;
  const oldest = page.events[page.events.length - 1]!.seq;
  return (
    <>
      <p className="muted" data-range>
        Events {newest} to {oldest}
        {request.filtered ? ' matching the filter' : ''}, newest first.
      </p>
      <AuditEventsTable events={page.events} names={names} caption={`Audit events ${newest} to ${oldest}, newest first`} />
      <PageLinks page={page} request={request} />
    </>
  );
}

/** Keyset navigation: links with a cursor (no page numbers: the log grows while it is read). */
function PageLinks({ page, request }: { page: AuditEventsPage; request: AuditRequest }) {
  if (page.prevCursor === null && page.nextCursor === null) return null;
  return (
    <nav className="pager" aria-label="Audit log pages">
      {page.prevCursor === null ? (
        <span className="pager__off" aria-disabled="true">
          ← Newer
        </span>
      ) : (
        <Link href={auditHref(request.form, { newer: page.prevCursor })} rel="prev">
          ← Newer
        </Link>
      )}
      {page.prevCursor !== null ? <Link href={auditHref(request.form)}>Newest</Link> : null}
      {page.nextCursor === null ? (
        <span className="pager__off" aria-disabled="true">
          Older →
        </span>
      ) : (
        <Link href={auditHref(request.form, { after: page.nextCursor })} rel="next">
          Older →
        </Link>
      )}
    </nav>
  );
}

const EXPORT_FORMATS = [
  { format: 'csv', label: 'CSV' },
  { format: 'ndjson', label: 'NDJSON' },
] as const;

/**
 * Downloads of a signed export of the viewer's filter, through the portal's /audit/export routes,
 * fixed at the chain head when this page was rendered (so the export and its manifest, two
 * downloads, name the same events), with how to verify them offline; the hub-side command stays
 * available for exports written on the hub's host.
 */
function ExportPanel({ request, head }: { request: AuditRequest; head: HubResult<AuditExportHead> }) {
  return (
    <section className="panel" aria-labelledby="audit-export-heading" data-through-seq={head.ok ? head.data.chainHead.seq : undefined}>
      <h2 id="audit-export-heading">Export</h2>
      {head.ok ? (
        <ExportDownloads request={request} head={head.data} />
      ) : (
        <ProblemNotice problem={{ ...head.problem, title: `Exports cannot be downloaded here: ${head.problem.title}` }} headingLevel={3} />
      )}
      <details className="export-cli">
        <summary>Export on the hub&apos;s host instead</summary>
        <p>An operator can write the same export and manifest on the hub&apos;s host, with its database and signing key:</p>
        <pre className="command" data-format="csv">
          <code>{exportCommand('csv', request.query)}</code>
        </pre>
        <pre className="command" data-format="ndjson">
          <code>{exportCommand('ndjson', request.query)}</code>
        </pre>
      </details>
    </section>
  );
}

function ExportDownloads({ request, head }: { request: AuditRequest; head: AuditExportHead }) {
  const through = head.chainHead.seq;
  return (
    <>
      <p>
        Download {request.filtered ? 'the events matching this filter' : 'the whole log'} as a signed export: events up to {formatInteger(through)}, the chain&apos;s head when this page
        was loaded (reload the page to include later events). Each export comes with a manifest signed by the hub&apos;s key; save both, keeping their names.
      </p>
      <div className="actions" role="group" aria-label="Export downloads">
        {EXPORT_FORMATS.map(({ format, label }) => (
          <a key={format} className="button" href={auditExportHref(format, 'export', request.query, through)} download data-export={format}>
            Download {label}
          </a>
        ))}
        {EXPORT_FORMATS.map(({ format, label }) => (
          <a key={`${format}-manifest`} className="button button--quiet" href={auditExportHref(format, 'manifest', request.query, through)} download data-export-manifest={format}>
            Download {label} manifest
          </a>
        ))}
      </div>
      <h3>Verify offline</h3>
      <p>
        Save the export and its manifest in one folder (the manifest is named after the export: <code>{exportFileNamePattern('ndjson', through, request.filtered)}.manifest.json</code>),
        then run, anywhere, without the hub:
      </p>
      <pre className="command" data-verify>
        <code>{verifyCommand(request.filtered ? '<export file>' : exportFileNamePattern('ndjson', through, false))}</code>
      </pre>
      <p className="muted">
        Take the hub&apos;s public key from its operator through a channel you trust (<code>consilium-hub audit:public-key</code>), not from the manifest. This hub signs with the key of
        fingerprint{' '}
        <code className="hash" data-fingerprint title={head.publicKey} tabIndex={0}>
          {head.fingerprint}
        </code>
        : compare it with the key you were given. The verifier checks the manifest&apos;s signature, the file&apos;s digest and size, the event count and every event&apos;s hash, and
        names the first event that does not verify.
      </p>
    </>
  );
}
