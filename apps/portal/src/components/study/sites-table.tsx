import type { StudyProgress } from '../../server/hub.ts';
import { RelativeDateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

export function SitesTable({ sites, encrypted, now }: { sites: StudyProgress['sites']; encrypted: boolean; now: number }) {
  if (sites.length === 0) {
    return (
      <EmptyState title="No sites have enrolled yet.">
        <p>Issue an enrolment token for each hospital (consilium-hub token:issue); sites appear here once their agent enrols.</p>
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
            <th scope="col">Last seen</th>
            <th scope="col">Agent version</th>
            <th scope="col">Backend</th>
            {encrypted ? <th scope="col">Key share</th> : null}
          </tr>
        </thead>
        <tbody>
          {sites.map((site) => (
            <tr key={site.siteId}>
              <th scope="row">{site.name}</th>
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
