import { formatShare, type StudyContribution } from '../../lib/contribution.ts';

/**
 * The share-over-rounds chart's numbers as a table, for screen readers. Visually hidden through a
 * wrapping div: a table cannot be shrunk to 1 px itself (it grows to its content and would widen the page).
 */
export function SharesTable({ history, sites }: { history: StudyContribution['shareHistory']; sites: ReadonlyArray<{ siteId: string; siteName: string }> }) {
  return (
    <div className="visually-hidden">
      <table data-table="share-history">
        <caption>Ownership share of each site after each settled round</caption>
        <thead>
          <tr>
            <th scope="col">Round</th>
            {sites.map((s) => (
              <th scope="col" key={s.siteId}>
                {s.siteName}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {history.map((point) => (
            <tr key={point.round}>
              <th scope="row">{point.round}</th>
              {sites.map((s) => (
                <td key={s.siteId}>{formatShare(point.shares[s.siteId] ?? '0%')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
