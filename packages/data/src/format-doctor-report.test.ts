import { describe, expect, it } from 'vitest';
import type { DoctorReport } from './doctor-report.ts';
import { formatDoctorReport } from './format-doctor-report.ts';

const base: DoctorReport = {
  file: '/data/site.csv',
  ok: true,
  rowsRead: 12,
  rowsUsable: 10,
  rowsDropped: 2,
  rowsRejected: 0,
  droppedByReason: [{ reason: 'missing_value', column: 'ldl', rows: 2 }],
  classCounts: { positive: 4, negative: 6 },
  target: { column: 'mace', positive: ['yes'] },
  columns: [
    { name: 'age', type: 'numeric', present: true, count: 10, min: 41, max: 88, mean: 63.456, missing: 0 },
    { name: 'ldl', type: 'numeric', present: true, count: 10, min: 1.2, max: 5.5, mean: 3.1, missing: 2 },
    { name: 'mace', type: 'categorical', present: true, counts: { no: 6, yes: 4 }, missing: 0 },
  ],
  errorCount: 0,
  warningCount: 0,
  issues: [],
  issueSummary: [],
};

describe('formatDoctorReport', () => {
  it('shows the verdict, rows with drop reasons, class balance and column summaries', () => {
    const text = formatDoctorReport(base);
    expect(text.split('\n')[0]).toBe('Data check of /data/site.csv: OK, the file can be used');
    expect(text).toContain('dropped   2   (missing ldl: 2)');
    expect(text).toContain('positive  4  (40.0%)');
    expect(text).toMatch(/age\s+numeric\s+min 41, max 88, mean 63.46\n/);
    expect(text).toMatch(/ldl\s+numeric\s+min 1.2, max 5.5, mean 3.1, missing 2/);
    expect(text).toMatch(/mace\s+categorical\s+no 6, yes 4/);
    expect(text).not.toContain('Problems');
  });

  it('lists problems with their location and, when some are not listed, the counts by kind', () => {
    const text = formatDoctorReport({
      ...base,
      ok: false,
      errorCount: 3,
      warningCount: 1,
      issues: [
        { severity: 'error', kind: 'not_numeric', message: '"abc" is not a number', line: 7, column: 'age', field: 2, value: 'abc', expected: 'a number in [18, 100]' },
        { severity: 'warning', kind: 'too_few_rows', message: 'only 1 usable positive row: the test set will have none', column: 'mace' },
      ],
      issueSummary: [
        { severity: 'error', kind: 'not_numeric', column: 'age', count: 3 },
        { severity: 'warning', kind: 'too_few_rows', column: 'mace', count: 1 },
      ],
    });
    expect(text.split('\n')[0]).toBe('Data check of /data/site.csv: FAILED, 3 errors must be fixed (1 warning)');
    expect(text).toContain('Problems (showing 2 of 4)');
    expect(text).toContain('  error    line 7, column "age" (field 2): "abc" is not a number (expected a number in [18, 100])');
    expect(text).toContain('  warning  column "mace": only 1 usable positive row');
    expect(text).toMatch(/3\s+error not numeric\s+in "age"/);
  });

  it('says when a column is absent from the file', () => {
    const text = formatDoctorReport({ ...base, columns: [{ name: 'age', type: 'numeric', present: false, count: 0, min: null, max: null, mean: null, missing: 0 }] });
    expect(text).toMatch(/age\s+numeric\s+not in the file/);
  });
});
