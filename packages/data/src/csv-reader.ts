import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { AppError, ErrorCode } from '@consilium/errors';
import { CsvError, parse } from 'csv-parse';

/** One CSV record: its trimmed cells and the 1-based line of the file it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** What csv-parse yields with `info: true`. */
interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Streams the records of a CSV file, one at a time, so a large file is never held in memory.
 *
 * Cells are trimmed; quoted cells (with embedded delimiters or line breaks), CRLF/LF/CR line ends
 * and a UTF-8 byte order mark are handled. Blank lines and lines of only delimiters (which
 * spreadsheet exports leave at the end) are skipped. Records may have different field counts: the
 * caller checks them against the schema and reports them with the record's line.
 *
 * Throws INVALID_INPUT when the file cannot be read and INVALID_DATA (details: `line`, `reason`)
 * when it is not well-formed CSV (e.g. an unclosed quote).
 */
export async function* readCsvRecords(path: string, options: { delimiter: string }): AsyncGenerator<CsvRecord> {
  await assertReadableFile(path);
  const parser = parse({
    delimiter: options.delimiter,
    info: true,
    bom: true,
    trim: true,
    relax_column_count: true,
    skip_records_with_empty_values: true,
  });
  // pipeline (unlike pipe) forwards a read error to the parser, which ends the loop below with it.
  pipeline(createReadStream(path), parser, () => {});
  // csv-parse counts a CRLF inside a quoted cell as two lines, for the rest of the file.
  let overcounted = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      const inside = lineBreaksInside(record);
      yield { line: info.lines - overcounted - inside.characters, fields: record.map((cell) => cell.trim()) };
      overcounted += inside.crlf;
    }
  } catch (error) {
    throw translateReadError(error, path);
  } finally {
    parser.destroy();
  }
}

/**
 * csv-parse reports the line a record ends on, having counted each CR and LF inside its quoted
 * cells as a line; subtracting them gives the line the record starts on, where a person looks.
 */
function lineBreaksInside(record: readonly string[]): { characters: number; crlf: number } {
  let characters = 0;
  let crlf = 0;
  for (const cell of record) {
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10 || c === 13) characters++;
      if (c === 13 && cell.charCodeAt(i + 1) === 10) crlf++;
    }
  }
  return { characters, crlf };
}

async function assertReadableFile(path: string): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new AppError(ErrorCode.INVALID_INPUT, 'data file path must be a non-empty string');
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    throw translateReadError(error, path);
  }
  if (!isFile) throw new AppError(ErrorCode.INVALID_INPUT, `${path} is not a file`);
}

function translateReadError(error: unknown, path: string): unknown {
  if (error instanceof CsvError) {
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    return new AppError(ErrorCode.INVALID_DATA, `${path}: line ${line ?? '?'}: malformed CSV: ${error.message}`, {
      details: { file: path, line, reason: error.message },
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new AppError(ErrorCode.INVALID_INPUT, `data file not found: ${path}`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new AppError(ErrorCode.INVALID_INPUT, `no permission to read ${path}`, { cause: error });
  if (code === 'EISDIR') return new AppError(ErrorCode.INVALID_INPUT, `${path} is not a file`, { cause: error });
  return error;
}
