import { describeIssue } from './data-issues.ts';
import type { ColumnSummary, DoctorReport } from './doctor-report.ts';

// A terminal line stays readable with this many categories; the rest are summed up.
const CATEGORIES_SHOWN = 8;

/**
 * The report as plain text for a terminal: verdict first, then rows, classes, columns and the
 * listed problems with their line and column, so a hospital's IT admin can fix the file.
 */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  const verdict = report.ok ? 'OK, the file can be used' : `FAILED, ${plural(report.errorCount, 'error')} must be fixed`;
  const warnings = report.warningCount > 0 ? ` (${plural(report.warningCount, 'warning')})` : '';
  lines.push(`Data check of ${report.file}: ${verdict}${warnings}`, '');

  lines.push('Rows');
  const dropReasons = report.droppedByReason.map((d) => `missing ${d.column}: ${d.rows}`).join(', ');
  lines.push(
    ...table([
      ['read', String(report.rowsRead), ''],
      ['usable', String(report.rowsUsable), ''],
      ['dropped', String(report.rowsDropped), dropReasons === '' ? '' : `(${dropReasons})`],
      ['rejected', String(report.rowsRejected), report.rowsRejected > 0 ? '(rows with errors)' : ''],
    ]),
    '',
  );

  const { positive, negative } = report.classCounts;
  const usable = positive + negative;
  lines.push(`Target ${report.target.column} (positive: ${report.target.positive.join(', ')})`);
  lines.push(
    ...table([
      ['positive', String(positive), usable > 0 ? `(${((100 * positive) / usable).toFixed(1)}%)` : ''],
      ['negative', String(negative), ''],
    ]),
    '',
  );

  lines.push('Columns (over usable rows)');
  lines.push(...table(report.columns.map((c) => [c.name, c.type, describeColumn(c)])), '');

  const total = report.errorCount + report.warningCount;
  if (total === 0) return lines.join('\n').trimEnd();
  const showing = report.issues.length < total ? ` (showing ${report.issues.length} of ${total})` : '';
  lines.push(`Problems${showing}`);
  for (const issue of report.issues) lines.push(`  ${issue.severity.padEnd(7)}  ${describeIssue(issue)}`);
  if (report.issues.length < total) {
    lines.push('', 'All problems by kind');
    lines.push(
      ...table(
        report.issueSummary.map((t) => [String(t.count), `${t.severity} ${t.kind.replaceAll('_', ' ')}`, t.column === undefined ? '' : `in "${t.column}"`]),
      ),
    );
  }
  return lines.join('\n');
}

function describeColumn(column: ColumnSummary): string {
  if (!column.present) return 'not in the file';
  const missing = column.missing > 0 ? `, missing ${column.missing}` : '';
  if (column.type === 'numeric') {
    if (column.min === null || column.max === null || column.mean === null) return `no usable values${missing}`;
    return `min ${formatNumber(column.min)}, max ${formatNumber(column.max)}, mean ${formatNumber(column.mean)}${missing}`;
  }
  const entries = Object.entries(column.counts);
  const shown = entries.slice(0, CATEGORIES_SHOWN).map(([category, count]) => `${category} ${count}`);
  const rest = entries.slice(CATEGORIES_SHOWN).reduce((sum, [, count]) => sum + count, 0);
  if (entries.length > CATEGORIES_SHOWN) shown.push(`${entries.length - CATEGORIES_SHOWN} more categories ${rest}`);
  return `${shown.join(', ')}${missing}`;
}

/** Aligned columns, indented by two spaces. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
