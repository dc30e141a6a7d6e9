import Link from 'next/link';
import { siteHref } from '../../lib/roles.ts';
import { siteUploadsHref } from '../../lib/uploads.ts';
import type { SiteSummary } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

/** The sites the person may see, each linking to its page and to what left it. */
export function SitesList({ sites }: { sites: SiteSummary[] }) {
  if (sites.length === 0) {
    return (
      <EmptyState title="No sites have enrolled yet.">
        <p>Sites appear here once their agent enrols with a token. Invite a site from its study's page.</p>
      </EmptyState>
    );
  }
  return (
    <TableRegion labelledBy="site-list-caption">
      <table className="table">
        <caption id="site-list-caption" className="visually-hidden">
          Sites
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">Status</th>
            <th scope="col">Enrolled</th>
            <th scope="col">Last seen</th>
            <th scope="col">Agent version</th>
            <th scope="col">Uploads</th>
          </tr>
        </thead>
        <tbody>
          {sites.map((site) => (
            <tr key={site.id}>
              <th scope="row">
                <Link href={siteHref(site.name)}>{site.name}</Link>
              </th>
              <td>{site.status === 'active' ? 'Active' : <span className="muted">Revoked</span>}</td>
              <td>
                <DateTime iso={site.enrolledAt} />
              </td>
              <td>
                <DateTime iso={site.lastSeenAt} fallback="Never" />
              </td>
              <td>{site.agentVersion ?? <span className="muted">—</span>}</td>
              <td>
                <Link href={siteUploadsHref(site.name)}>Uploads</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
