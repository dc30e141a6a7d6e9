import type { Executor } from '@consilium/db';
import { sql } from 'drizzle-orm';
import { publicTables, rowsOf } from './snapshot.ts';

/** Where a byte string was found: table, column, and in which spelling. */
export interface Finding {
  table: string;
  column: string;
  encoding: 'raw' | 'hex' | 'base64';
}

/** What a scan covered, so a test can show it was not vacuous. */
export interface ScanReport {
  findings: Finding[];
  columnsScanned: number;
  valuesScanned: number;
}

/**
 * Searches every column of every table of the `public` schema (bytea as raw bytes; text and jsonb
 * as text) for `needle`: its raw bytes, and a 48-byte window of it spelled in hex or in base64 at
 * each of the three base64 alignments — however a value had been stored, it would be found.
 * Returns one finding per column and spelling.
 */
export async function findBytesInDatabase(db: Executor, needle: Uint8Array): Promise<ScanReport> {
  if (needle.byteLength < 64) throw new Error('needle too short to be distinctive');
  const bytes = Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength);
  // A window from the middle: past any fixed header the serialisation may start with.
  const middle = Math.floor(bytes.length / 2);
  const window = bytes.subarray(middle, middle + 50);
  const hex = window.subarray(0, 48).toString('hex');
  const base64 = [0, 1, 2].map((shift) => window.subarray(shift, shift + 48).toString('base64'));

  const report: ScanReport = { findings: [], columnsScanned: 0, valuesScanned: 0 };
  for (const table of await publicTables(db)) {
    const columns = rowsOf(await db.execute(sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table}`));
    for (const { column_name } of columns) {
      const column = String(column_name);
      report.columnsScanned += 1;
      const values = rowsOf(await db.execute(sql`select ${sql.identifier(column)} as value from ${sql.identifier(table)}`));
      const spellings = new Set<Finding['encoding']>();
      for (const { value } of values) {
        if (value === null || value === undefined) continue;
        report.valuesScanned += 1;
        if (value instanceof Uint8Array) {
          if (Buffer.from(value.buffer, value.byteOffset, value.byteLength).includes(window)) spellings.add('raw');
          continue;
        }
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (text.toLowerCase().includes(hex)) spellings.add('hex');
        if (base64.some((b) => text.includes(b))) spellings.add('base64');
      }
      for (const encoding of spellings) report.findings.push({ table, column, encoding });
    }
  }
  return report;
}
