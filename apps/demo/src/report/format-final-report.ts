import type { EvalMetrics } from '@consilium/schemas';
import type { DemoResult } from './demo-result.ts';
import { formatBytes, formatDuration, formatMetric } from './format-numbers.ts';
import type { PooledMetrics } from './pooled-metrics.ts';
import { groupHeader, textTable } from './text-table.ts';

const PRIVACY = { 'ckks-multiparty': 'encrypted (multiparty CKKS)', none: 'plaintext (no secure aggregation)' } as const;

/**
 * The closing report: the final federated model against the centralized one, per site and over
 * all sites, then what the run cost (time, bytes) and where its files are. `paths` shortens
 * absolute paths for display.
 */
export function formatFinalReport(result: DemoResult, paths: { display: (file: string) => string; dataDir: string | null }): string {
  const { study, federated, centralized } = result;
  const out: string[] = [];
  out.push(`Final model: ${study.name}`);
  out.push(`Federated: ${study.completedRounds} of ${study.plannedRounds} rounds, ${PRIVACY[study.secureAggregation]}, ${study.sites.length} sites.`);
  if (centralized) out.push(`Centralized: the same model and code on all sites' training rows pooled (${centralized.trainRows} rows, ${centralized.epochs} epochs).`);
  out.push('');

  const metricCells = (m: EvalMetrics | PooledMetrics | null | undefined) => {
    const auc = m === null || m === undefined ? null : 'auc' in m ? m.auc : m.meanAuc;
    return [formatMetric(m?.accuracy), formatMetric(m?.loss), formatMetric(auc)];
  };
  const rows: string[][] = [['Site', 'Test rows', 'Accuracy', 'Loss', 'AUC', ...(centralized ? ['Accuracy', 'Loss', 'AUC'] : [])]];
  for (const site of study.sites) {
    const fed = federated.sites[site];
    const cen = centralized?.sites[site];
    rows.push([site, String(fed?.n ?? cen?.n ?? '—'), ...metricCells(fed), ...(centralized ? metricCells(cen) : [])]);
  }
  rows.push([
    'All sites (pooled; AUC: mean of sites)',
    String(federated.overall?.n ?? centralized?.overall.n ?? '—'),
    ...metricCells(federated.overall),
    ...(centralized ? metricCells(centralized.overall) : []),
  ]);
  const table = textTable(rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
  out.push(groupHeader(table.widths, [{ firstColumn: 2, title: 'Federated (final)' }, ...(centralized ? [{ firstColumn: 5, title: 'Centralized (pooled)' }] : [])]));
  const [header, ...body] = table.lines;
  out.push(header ?? '', '-'.repeat(Math.max(...table.lines.map((l) => l.length))));
  out.push(...body.slice(0, -1), '-'.repeat(Math.max(...table.lines.map((l) => l.length))), body.at(-1) ?? '');

  if (federated.overall && centralized) {
    const f = federated.overall;
    const c = centralized.overall;
    const points = (f.accuracy - c.accuracy) * 100;
    const auc = f.meanAuc !== null && c.meanAuc !== null ? `, AUC ${signed(f.meanAuc - c.meanAuc, 3)}` : '';
    out.push('', `Federated minus centralized: accuracy ${signed(points, 1)} points, loss ${signed(f.loss - c.loss, 3)}${auc}.`);
  }

  out.push('');
  const phases = result.phasesMs;
  out.push(
    `Wall time: ${formatDuration(result.wallMs)} (hub start ${formatDuration(phases.hubStart)}, enrolment ${formatDuration(phases.enrolment)}, study ${formatDuration(phases.study)})` +
      (centralized ? `; centralized training ${formatDuration(centralized.trainMs)}.` : '.'),
  );
  const siteCount = Object.keys(result.uploadedBytes.perSite).length;
  const roundBytes = Object.values(result.uploadedBytes.perSitePerRound).flat();
  const perRound = roundBytes.length > 0 ? roundBytes.reduce((a, b) => a + b, 0) / roundBytes.length : 0;
  out.push(
    `Uploaded: ${formatBytes(result.uploadedBytes.total)} by ${siteCount} sites` +
      (siteCount > 0 ? ` (${formatBytes(result.uploadedBytes.total / siteCount)} per site; about ${formatBytes(perRound)} per site per round).` : '.'),
  );
  if (paths.dataDir) out.push(`Data: ${paths.display(paths.dataDir)}`);
  out.push(`Logs: ${paths.display(result.logsDir)}`);
  return out.join('\n');
}

function signed(value: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  if (Number(text) === 0) return text;
  return value > 0 ? `+${text}` : `−${text}`;
}
