import { formatDecimal, formatInteger, formatPercent } from '../../lib/format.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

type Model = StudyProgress['models'][number];

/** Each site's validation of one model version on its own held-out rows. */
export function SiteMetricsTable({ model, captionId }: { model: Model; captionId: string }) {
  if (model.evaluations.length === 0) {
    return (
      <EmptyState title={`No site has validated version ${model.version} yet.`}>
        <p>Each site evaluates every new model version on its held-out rows and reports the metrics (never the rows).</p>
      </EmptyState>
    );
  }
  const evaluations = [...model.evaluations].sort((a, b) => a.siteName.localeCompare(b.siteName));
  return (
    <TableRegion labelledBy={captionId}>
      <table className="table" data-table="site-metrics">
        <caption id={captionId} className="visually-hidden">
          Validation of model version {model.version} by each site
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col" className="num">
              Accuracy
            </th>
            <th scope="col" className="num">
              AUC
            </th>
            <th scope="col" className="num">
              Loss
            </th>
            <th scope="col" className="num">
              Held-out rows (n)
            </th>
            <th scope="col" className="num">
              Positive rate
            </th>
          </tr>
        </thead>
        <tbody>
          {evaluations.map((e) => (
            <tr key={e.siteId}>
              <th scope="row">
                {e.siteName}
                {e.final ? <span className="sub">final evaluation</span> : null}
              </th>
              <td className="num">{formatPercent(e.metrics.accuracy)}</td>
              <td className="num">{formatDecimal(e.metrics.auc)}</td>
              <td className="num">{formatDecimal(e.metrics.loss)}</td>
              <td className="num">{formatInteger(e.metrics.n)}</td>
              <td className="num">{formatPercent(e.metrics.positiveRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
