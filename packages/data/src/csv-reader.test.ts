import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../test/temp-files.ts';
import type { TempDir } from '../test/temp-files.ts';
import { readCsvRecords } from './csv-reader.ts';
import type { CsvRecord } from './csv-reader.ts';

let dir: TempDir;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(() => dir.remove());

async function readAll(text: string, delimiter = ','): Promise<CsvRecord[]> {
  const path = await dir.write('records.csv', text);
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(path, { delimiter })) records.push(record);
  return records;
}

describe('readCsvRecords', () => {
  it('yields trimmed fields with the 1-based line of each record', async () => {
    expect(await readAll('a,b\n 1 ,  x\n2,y')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'x'] },
      { line: 3, fields: ['2', 'y'] },
    ]);
  });

  it('handles CRLF, a byte order mark, quoted delimiters and quoted line breaks', async () => {
    const text = '\uFEFFa,b\r\n"1,5"," y "\r\n"multi\r\nline",z\r\n4,w\r\n';
    expect(await readAll(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1,5', 'y'] },
      { line: 3, fields: ['multi\r\nline', 'z'] },
      { line: 5, fields: ['4', 'w'] },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('counts lines past quoted line breaks with %s line ends', async (_, eol) => {
    const text = ['h1,h2', '"a', 'b', 'c",1', '2,"d', 'e"', '3,4', ''].join(eol);
    expect((await readAll(text)).map((r) => r.line)).toEqual([1, 2, 5, 7]);
  });

  it('skips blank lines and delimiter-only lines but keeps counting them', async () => {
    expect(await readAll('a,b\n\n1,2\n , \n,\n3,4\n\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
      { line: 6, fields: ['3', '4'] },
    ]);
  });

  it('keeps records with another number of fields for the caller to judge', async () => {
    expect((await readAll('a;b;c\n1;2\n1;2;3;4\n', ';')).map((r) => r.fields.length)).toEqual([3, 2, 4]);
  });

  it('throws INVALID_DATA with the line for malformed CSV', async () => {
    await expect(readAll('a,b\n1,2\n3,"x"y\n')).rejects.toMatchObject({ code: 'INVALID_DATA', details: { line: 3 } });
  });

  it('throws INVALID_INPUT for a missing file or a directory', async () => {
    const read = async (path: string) => {
      for await (const _ of readCsvRecords(path, { delimiter: ',' })) break;
    };
    await expect(read(`${dir.path}/nope.csv`)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not found') });
    await expect(read(dir.path)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not a file') });
  });
});
