import { describe, expect, it } from 'vitest';
import { CsvReader } from './csv-reader.ts';
import { csvField } from './export-format.ts';

/** Feeds `text` in pieces of `size` characters and collects every record. */
function readAll(text: string, size: number): Array<{ line: number; fields: string[] }> {
  const reader = new CsvReader();
  const records = [];
  for (let i = 0; i < text.length; i += size) records.push(...reader.push(text.slice(i, i + size)));
  records.push(...reader.end());
  return records;
}

const awkward = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\ninside', '', '"', '""', ',', 'trailing\r'];

describe('CSV (RFC 4180)', () => {
  it('escapes only the fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
  });

  it('reads back what it writes, however the text is split into chunks', () => {
    const text = `${awkward.map(csvField).join(',')}\r\nnext,row\r\n`;
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(readAll(text, size).map((r) => r.fields), `chunks of ${size}`).toEqual([awkward, ['next', 'row']]);
    }
  });

  it('numbers records by the line they start on', () => {
    const records = readAll('a\r\n"x\ny\nz",b\r\nc\n', 4);
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('reads a last record without a line break, and empty fields', () => {
    expect(readAll('a,,c\r\n,b,', 2).map((r) => r.fields)).toEqual([
      ['a', '', 'c'],
      ['', 'b', ''],
    ]);
  });

  it.each([
    ['a quote inside an unquoted field', 'ok\r\nab"c,d\r\n', /line 2: a quote inside an unquoted field/],
    ['text after a closing quote', 'ok\r\n"ab"c,d\r\n', /line 2: text after a closing quote/],
    ['an unterminated quote', 'ok\r\n"abc,d\r\n', /line 2: an unterminated quoted field/],
  ])('refuses %s', (_name, text, error) => {
    expect(() => readAll(text, 3)).toThrow(error);
  });

  it('refuses a record longer than the limit instead of buffering the whole file', () => {
    const reader = new CsvReader({ maxRecordChars: 100 });
    expect(() => reader.push(`"${'x'.repeat(200)}`)).toThrow(/longer than 100/);
  });
});
