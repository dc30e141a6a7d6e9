import { formatDecimal, formatInteger, formatPercent } from '../../lib/format.ts';
import type { VersionMetrics } from '../../lib/model-metrics.ts';

/**
 * The metrics chart's numbers as a table, for screen readers. Visually hidden through a wrapping
 * div (a table cannot be shrunk to 1 px itself).
 */
export function MetricsTable({ metrics }: { metrics: readonly VersionMetrics[] }) {
  return (
    <div className="visually-hidden">
      <table data-table="metrics-over-versions">
        <caption>Global model metrics per version: training loss, and validation pooled over the sites&apos; held-out rows</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Round</th>
            <th scope="col">Training loss</th>
            <th scope="col">Validation accuracy</th>
            <th scope="col">Validation AUC</th>
            <th scope="col">Validation loss</th>
            <th scope="col">Held-out rows</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.version}>
              <th scope="row">v{m.version}</th>
              <td>{m.round ?? '—'}</td>
              <td>{formatDecimal(m.trainLoss)}</td>
              <td>{formatPercent(m.accuracy)}</td>
              <td>{formatDecimal(m.auc)}</td>
              <td>{formatDecimal(m.loss)}</td>
              <td>{formatInteger(m.n)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
