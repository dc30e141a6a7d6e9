import { describe, expect, it } from 'vitest';
import { parseStatementFormat, statementFileName } from './statement.ts';

describe('ownership statement downloads', () => {
  it('accepts json (the default), ndjson and html only', () => {
    expect(parseStatementFormat(null)).toBe('json');
    expect(parseStatementFormat('')).toBe('json');
    expect(parseStatementFormat('ndjson')).toBe('ndjson');
    expect(parseStatementFormat('html')).toBe('html');
    expect(parseStatementFormat('pdf')).toBeNull();
    expect(parseStatementFormat('JSON')).toBeNull();
  });

  it('names the files after the study, with nothing unsafe in a header', () => {
    const id = '11111111-1111-4111-8111-111111111111';
    expect(statementFileName(id, 'json')).toBe(`ownership-statement-${id}.json`);
    expect(statementFileName(id, 'ndjson')).toBe(`ledger-${id}.ndjson`);
    expect(statementFileName('a"b\r\nc', 'html')).toBe('ownership-statement-abc.html');
  });
});
