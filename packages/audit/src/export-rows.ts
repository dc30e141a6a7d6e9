import { isAppError } from '@consilium/errors';
import { CsvReader } from './csv-reader.ts';
import { AUDIT_EXPORT_COLUMNS, csvFieldsToRow, type AuditExportFormat } from './export-format.ts';

/** One event read from an export: its fields as `toAuditRecord` takes them, or why it could not be read. */
export type ExportRow = { line: number; row: Record<string, unknown> } | { line: number; error: string };

/** Reads an export's text incrementally; `push` returns the events completed so far. */
export interface ExportRowReader {
  push(text: string): ExportRow[];
  end(): ExportRow[];
}

/** The longest event accepted, so that a file without line breaks cannot exhaust memory. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export function exportRowReader(format: AuditExportFormat): ExportRowReader {
  return format === 'csv' ? csvRowReader() : ndjsonRowReader();
}

function csvRowReader(): ExportRowReader {
  const csv = new CsvReader({ maxRecordChars: MAX_EVENT_CHARS });
  const header = AUDIT_EXPORT_COLUMNS.join(',');
  let sawHeader = false;
  const rows = (read: () => Array<{ line: number; fields: string[] }>): ExportRow[] => {
    let records;
    try {
      records = read();
    } catch (error) {
      if (!isAppError(error)) throw error;
      return [{ line: Number(error.details?.line ?? 0), error: error.message }];
    }
    const out: ExportRow[] = [];
    for (const { line, fields } of records) {
      if (!sawHeader) {
        sawHeader = true;
        if (fields.join(',') !== header) out.push({ line, error: `the first line is not the export header (${header})` });
        continue;
      }
      const row = csvFieldsToRow(fields);
      out.push(typeof row === 'string' ? { line, error: row } : { line, row });
    }
    return out;
  };
  return {
    push: (text) => rows(() => csv.push(text)),
    end: () => {
      const last = rows(() => csv.end());
      return sawHeader ? last : [...last, { line: 1, error: 'the file is empty: no CSV header' }];
    },
  };
}

function ndjsonRowReader(): ExportRowReader {
  let buffer = '';
  let line = 1;
  const parse = (text: string): ExportRow => {
    const at = line++;
    if (text.trim() === '') return { line: at, error: 'blank line' };
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line: at, error: 'the line is not a JSON object' };
      return { line: at, row: value as Record<string, unknown> };
    } catch {
      return { line: at, error: 'the line is not valid JSON' };
    }
  };
  return {
    push(text) {
      buffer += text;
      const out: ExportRow[] = [];
      let start = 0;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n', start)) {
        out.push(parse(buffer.slice(start, nl)));
        start = nl + 1;
      }
      buffer = buffer.slice(start);
      if (buffer.length > MAX_EVENT_CHARS) {
        buffer = '';
        out.push({ line, error: `a line longer than ${MAX_EVENT_CHARS} characters` });
      }
      return out;
    },
    end() {
      // The export ends every line with \n; a last line without one is read all the same (the file digest decides).
      const rest = buffer;
      buffer = '';
      return rest === '' ? [] : [parse(rest)];
    },
  };
}
