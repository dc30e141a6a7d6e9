import Link from 'next/link';
import { siteHref } from '../../lib/roles.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { DateTime, RelativeDateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

type Consent = StudyProgress['sites'][number]['consent'];

const CONSENT: Record<Consent, { label: string; tone: string }> = {
  pending: { label: 'Pending', tone: 'warning' },
  approved: { label: 'Approved', tone: 'success' },
  declined: { label: 'Declined', tone: 'danger' },
};

/** A site's decision on a study, as a badge (the text carries the meaning). */
export function ConsentBadge({ consent }: { consent: Consent }) {
  const shown = CONSENT[consent] ?? { label: consent, tone: 'neutral' };
  return <span className={`badge badge--${shown.tone}`}>{shown.label}</span>;
}

export function SitesTable({ sites, encrypted, now, linkSites = false }: { sites: StudyProgress['sites']; encrypted: boolean; now: number; linkSites?: boolean }) {
  if (sites.length === 0) {
    return (
      <EmptyState title="No sites have enrolled yet.">
        <p>Invite each hospital with its own enrolment token; sites appear here once their agent enrols.</p>
      </EmptyState>
    );
  }
  return (
    <TableRegion labelledBy="sites-caption">
      <table className="table">
        <caption id="sites-caption" className="visually-hidden">
          Enrolled sites
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">Consent</th>
            <th scope="col">Last seen</th>
            <th scope="col">Agent version</th>
            <th scope="col">Backend</th>
            {encrypted ? <th scope="col">Key share</th> : null}
          </tr>
        </thead>
        <tbody>
          {sites.map((site) => (
            <tr key={site.siteId}>
              <th scope="row">{linkSites ? <Link href={siteHref(site.name)}>{site.name}</Link> : site.name}</th>
              <td>
                <ConsentBadge consent={site.consent} />
                {site.consentDecidedAt ? (
                  <span className="sub">
                    <DateTime iso={site.consentDecidedAt} />
                  </span>
                ) : null}
              </td>
              <td>
                <RelativeDateTime iso={site.lastSeenAt} now={now} fallback="Never" />
              </td>
              <td>{site.agentVersion ?? <span className="muted">—</span>}</td>
              <td>{site.backend ?? <span className="muted">—</span>}</td>
              {encrypted ? <td>{site.keySharePublished ? 'Published' : <span className="muted">Pending</span>}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
