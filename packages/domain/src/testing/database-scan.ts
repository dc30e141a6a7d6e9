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

/** A secret as the scan looks for it: raw bytes, and 30+ bytes of it spelled in hex or base64. */
interface Needle {
  raw: Buffer;
  hex: string;
  base64: string[];
}

/**
 * A long secret is looked for by a 50-byte window from its middle (past any fixed header its
 * serialisation may start with), a short one (32–63 bytes: an X25519 private key is 32) whole; in
 * hex, and in base64 at each of the three alignments, so however a value had been stored, it would
 * be found.
 */
function needleOf(secret: Uint8Array): Needle {
  const bytes = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
  if (bytes.length < 32) throw new Error(`a ${bytes.length}-byte secret is too short to be distinctive (32 bytes at least)`);
  const middle = Math.floor(bytes.length / 2);
  const window = bytes.length >= 64 ? bytes.subarray(middle, middle + 50) : bytes;
  const span = window.length >= 50 ? 48 : 30;
  return {
    raw: window,
    hex: window.subarray(0, span).toString('hex'),
    base64: [0, 1, 2].map((shift) => window.subarray(shift, shift + span).toString('base64')),
  };
}

/** Per secret, where it was found; and what the scan covered, so a test can show it was not vacuous. */
export interface MultiScanReport {
  findings: Finding[][];
  columnsScanned: number;
  valuesScanned: number;
}

/**
 * Searches every column of every table of the `public` schema (bytea as raw bytes; text and jsonb
 * as text) for each of `secrets`, in one pass over the database. Returns, per secret, one finding
 * per column and spelling.
 */
export async function findSecretsInDatabase(db: Executor, secrets: readonly Uint8Array[]): Promise<MultiScanReport> {
  const needles = secrets.map(needleOf);
  const report: MultiScanReport = { findings: needles.map(() => []), columnsScanned: 0, valuesScanned: 0 };
  for (const table of await publicTables(db)) {
    const columns = rowsOf(await db.execute(sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table}`));
    for (const { column_name } of columns) {
      const column = String(column_name);
      report.columnsScanned += 1;
      const spellings = needles.map(() => new Set<Finding['encoding']>());
      for (const { value } of rowsOf(await db.execute(sql`select ${sql.identifier(column)} as value from ${sql.identifier(table)}`))) {
        if (value === null || value === undefined) continue;
        report.valuesScanned += 1;
        if (value instanceof Uint8Array) {
          const stored = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
          needles.forEach((needle, k) => stored.includes(needle.raw) && spellings[k]!.add('raw'));
          continue;
        }
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        const lower = text.toLowerCase();
        needles.forEach((needle, k) => {
          if (lower.includes(needle.hex)) spellings[k]!.add('hex');
          if (needle.base64.some((b) => text.includes(b))) spellings[k]!.add('base64');
        });
      }
      spellings.forEach((found, k) => found.forEach((encoding) => report.findings[k]!.push({ table, column, encoding })));
    }
  }
  return report;
}

/** `findSecretsInDatabase` for one secret of 32 bytes or more. */
export async function findBytesInDatabase(db: Executor, needle: Uint8Array): Promise<ScanReport> {
  const report = await findSecretsInDatabase(db, [needle]);
  return { findings: report.findings[0]!, columnsScanned: report.columnsScanned, valuesScanned: report.valuesScanned };
}
