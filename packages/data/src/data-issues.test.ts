import { describe, expect, it } from 'vitest';
import { IssueCollector, describeIssue } from './data-issues.ts';

describe('describeIssue', () => {
  it('names the file, line, column and field, then what is wrong and what was expected', () => {
    const issue = { severity: 'error', kind: 'out_of_range', message: '300 is outside the range', line: 4, column: 'sbp', field: 3, value: '300', expected: '[70, 250]' } as const;
    expect(describeIssue(issue, 'a.csv')).toBe('a.csv: line 4, column "sbp" (field 3): 300 is outside the range (expected [70, 250])');
    expect(describeIssue(issue)).toBe('line 4, column "sbp" (field 3): 300 is outside the range (expected [70, 250])');
    expect(describeIssue({ severity: 'error', kind: 'empty_file', message: 'the file is empty' }, 'a.csv')).toBe('a.csv: the file is empty');
  });
});

describe('IssueCollector', () => {
  it('lists line-level issues up to the cap, always lists whole-file ones, and counts everything', () => {
    const issues = new IssueCollector(2);
    for (let line = 2; line < 6; line++) issues.add({ severity: 'error', kind: 'not_numeric', message: 'x', line, column: 'age' });
    issues.add({ severity: 'warning', kind: 'too_few_rows', message: 'few' });
    expect(issues.listed.map((i) => i.line ?? 'file')).toEqual([2, 3, 'file']);
    expect([issues.errorCount, issues.warningCount]).toEqual([4, 1]);
    expect(issues.summary()).toEqual([
      { severity: 'error', kind: 'not_numeric', column: 'age', count: 4 },
      { severity: 'warning', kind: 'too_few_rows', count: 1 },
    ]);
  });
});
