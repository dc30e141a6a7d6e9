import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { AuditEventsTable } from '../../components/audit/audit-events-table.tsx';
import { AuditFilterForm } from '../../components/audit/audit-filter-form.tsx';
import { IntegrityBanner, IntegrityPending } from '../../components/audit/integrity-banner.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ProblemNotice } from '../../components/problem-notice.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { auditHref, exportCommand, readAuditRequest, type AuditRequest, type SearchParams } from '../../lib/audit.ts';
import { listAuditActions, listAuditEvents, listSites, listStudies, type AuditEventsPage } from '../../server/hub.ts';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const [actions, studies, sites] = await Promise.all([listAuditActions(), listStudies(), listSites()]);
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
      <ExportPanel request={request} />
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

/** There is no export over HTTP (an export is signed with the hub's key, on the hub's host): the command to run there. */
function ExportPanel({ request }: { request: AuditRequest }) {
  return (
    <section className="panel" aria-labelledby="audit-export-heading">
      <h2 id="audit-export-heading">Export</h2>
      <p>
        A signed export (CSV or NDJSON, with a manifest signed by the hub&apos;s key) is written on the hub&apos;s host. To export {request.filtered ? 'the events matching this filter' : 'the whole log'}, run:
      </p>
      <pre className="command" data-format="csv">
        <code>{exportCommand('csv', request.query)}</code>
      </pre>
      <pre className="command" data-format="ndjson">
        <code>{exportCommand('ndjson', request.query)}</code>
      </pre>
      <p className="muted">
        Check an export anywhere with <code>consilium-audit verify &lt;file&gt;</code>.
      </p>
    </section>
  );
}
