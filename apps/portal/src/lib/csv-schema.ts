/**
 * Reading a sample CSV in the browser and proposing a data schema from it, for the study wizard.
 * Pure functions (no DOM, no network): the file never leaves the browser, and these are tested
 * beside. The proposal is a starting point the study lead edits; the study spec's zod schema
 * (DataSchema in @consilium/schemas) has the last word.
 */

/** The cells of a sample: the header line and up to `maxRows` data rows. */
export interface CsvSample {
  header: string[];
  rows: string[][];
  delimiter: string;
  /** True when the file had more rows than were read. */
  truncated: boolean;
}

export type CsvReadResult = { ok: true; sample: CsvSample } | { ok: false; error: string };

/** The schema's default "missing" tokens (DataSchema.missingValues). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', '?', 'NA', 'N/A', 'NaN', 'null'];

/** How many data rows the browser reads from a sample: enough to see types, ranges and categories. */
export const MAX_SAMPLE_ROWS = 5000;

/** The most categories the schema allows in a categorical column. */
const MAX_CATEGORIES = 256;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter of a CSV, judged from its first line (the one used most outside quotes; a comma by default). */
export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of CANDIDATE_DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const char of firstLine) {
      if (char === '"') quoted = !quoted;
      else if (!quoted && char === candidate) count++;
    }
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Splits CSV text into records (RFC 4180: quoted fields may hold delimiters, line breaks and doubled
 * quotes). Stops after `maxRecords` records; blank lines are skipped.
 */
export function parseCsv(text: string, delimiter: string, maxRecords = Infinity): { records: string[][]; truncated: boolean } {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let cellStarted = false;
  const finishRecord = (): boolean => {
    record.push(cell);
    const blank = record.length === 1 && record[0] === '' && !cellStarted;
    if (!blank) records.push(record);
    record = [];
    cell = '';
    cellStarted = false;
    return records.length >= maxRecords;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += char;
      continue;
    }
    if (char === '"') {
      quoted = true;
      cellStarted = true;
    } else if (char === delimiter) {
      record.push(cell);
      cell = '';
      cellStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      if (finishRecord()) return { records, truncated: hasMoreContent(text, i + 1) };
    } else {
      cell += char;
      cellStarted = true;
    }
  }
  if (cellStarted || cell !== '' || record.length > 0) finishRecord();
  return { records, truncated: false };
}

function hasMoreContent(text: string, from: number): boolean {
  return text.slice(from).trim().length > 0;
}

/**
 * Reads the header line and the first rows of a sample CSV (or just its header line). Errors are
 * sentences for the page: an empty file, empty or repeated column names.
 */
export function readCsvSample(text: string, maxRows = MAX_SAMPLE_ROWS): CsvReadResult {
  const content = text.replace(/^\uFEFF/, '');
  const firstLine = content.split(/\r?\n/, 1)[0] ?? '';
  if (content.trim() === '') return { ok: false, error: 'The file is empty. Choose a CSV file whose first line names the columns.' };
  const delimiter = detectDelimiter(firstLine);
  const { records, truncated } = parseCsv(content, delimiter, maxRows + 1);
  const [rawHeader, ...rows] = records;
  const header = (rawHeader ?? []).map((name) => name.trim());
  if (header.length < 2) return { ok: false, error: 'The first line names fewer than two columns. A study needs at least one feature and a label column.' };
  const emptyAt = header.findIndex((name) => name === '');
  if (emptyAt >= 0) return { ok: false, error: `Column ${emptyAt + 1} of the header line has no name. Every column needs a name.` };
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) return { ok: false, error: `The column name "${name}" appears twice in the header line. Column names must be unique.` };
    seen.add(name);
  }
  return { ok: true, sample: { header, rows: rows.map((row) => row.map((cell) => cell.trim())), delimiter, truncated } };
}

// ─── Schema inference ─────────────────────────────────────────────────────────

export type DraftColumnType = 'numeric' | 'categorical' | 'ignore';

/**
 * One column as the wizard edits it: text fields (an empty range bound is "not filled in yet"),
 * turned into the schema's column by `draftColumnToSpec`.
 */
export interface DraftColumn {
  name: string;
  type: DraftColumnType;
  /** Plausible range of a numeric column, as typed. */
  min: string;
  max: string;
  /** A categorical column's values, separated by commas. */
  categories: string;
  /** A numeric column's unit (optional). */
  unit: string;
  /** Why the column was proposed like this, for the table (empty when edited). */
  note: string;
}

// Plain decimal notation only, as the site's agent reads numbers (@consilium/data parseNumber).
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds, or null. */
export function parseNumber(cell: string): number | null {
  if (!DECIMAL_NUMBER.test(cell)) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/** Names that identify a patient or record rather than describe them. */
const ID_NAME = /^(?:id|uuid|guid|mrn|ssn|nhs[ _-]?(?:number|no)|(?:patient|record|subject|case|encounter|admission|visit|row)[ _-]?(?:id|no|number|nr))$|[ _-]id$/i;
const CAMEL_ID = /[a-z]I[dD]$/;

/** Whether a column name looks like an identifier (excluded from training by default). */
export function isIdLikeName(name: string): boolean {
  const trimmed = name.trim();
  return ID_NAME.test(trimmed) || CAMEL_ID.test(trimmed);
}

/** A range around [min, max] with a little room, rounded outward to tidy numbers (not below 0 for non-negative data). */
export function suggestRange(min: number, max: number): [number, number] {
  if (min === max) return [min - 1, max + 1];
  const span = max - min;
  const step = 10 ** Math.floor(Math.log10(span / 10));
  let low = Math.floor((min - span * 0.05) / step) * step;
  const high = Math.ceil((max + span * 0.05) / step) * step;
  if (min >= 0 && low < 0) low = 0;
  return [tidy(low), tidy(high)];
}

function tidy(n: number): number {
  return Number(n.toPrecision(12));
}

function sortCategories(values: string[]): string[] {
  const allNumbers = values.every((v) => parseNumber(v) !== null);
  return [...values].sort(allNumbers ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b));
}

const emptyColumn = (name: string): DraftColumn => ({ name, type: 'numeric', min: '', max: '', categories: '', unit: '', note: '' });

/** Proposes one column from its name and sample values. */
export function inferColumn(name: string, cells: readonly string[], missingValues: readonly string[] = DEFAULT_MISSING_VALUES): DraftColumn {
  const column = emptyColumn(name);
  if (isIdLikeName(name)) return { ...column, type: 'ignore', note: 'Looks like an identifier, so it is excluded from training.' };
  const missing = new Set(missingValues.map((token) => token.trim()));
  const values = cells.filter((cell) => !missing.has(cell));
  if (values.length === 0) {
    return cells.length === 0
      ? { ...column, note: 'No rows to look at: choose the type and fill in the range.' }
      : { ...column, note: 'Every value in the sample is missing: choose the type and fill in the range.' };
  }
  const distinct = [...new Set(values)];
  const numbers = values.map(parseNumber);
  const numeric = numbers.filter((n): n is number => n !== null);
  if (numeric.length === values.length) {
    if (distinct.length <= 2) {
      return { ...column, type: 'categorical', categories: sortCategories(distinct).join(', '), note: `Only ${distinct.length === 1 ? 'one value' : 'two values'} in the sample, so treated as categories.` };
    }
    const min = Math.min(...numeric);
    const max = Math.max(...numeric);
    const integers = numeric.every(Number.isInteger);
    if (integers && distinct.length === values.length && values.length >= 20 && max - min + 1 === values.length) {
      return { ...column, type: 'ignore', note: 'A running number (every value different), so it looks like an identifier and is excluded.' };
    }
    const [low, high] = suggestRange(min, max);
    return { ...column, min: String(low), max: String(high), note: `Numbers from ${min} to ${max} in the sample; the range allows a little more. Check it is plausible.` };
  }
  if (distinct.length === values.length && values.length >= 10) {
    return { ...column, type: 'ignore', note: 'Every value is different, so it looks like an identifier or free text and is excluded.' };
  }
  if (distinct.length > MAX_CATEGORIES) {
    return { ...column, type: 'ignore', note: `More than ${MAX_CATEGORIES} different values: free text cannot be used for training, so it is excluded.` };
  }
  const nonNumbers = values.filter((_, i) => numbers[i] === null);
  if (numeric.length >= values.length * 0.95 && distinct.length > 10) {
    const [low, high] = suggestRange(Math.min(...numeric), Math.max(...numeric));
    return { ...column, min: String(low), max: String(high), note: `Mostly numbers, but also "${nonNumbers[0]}": add it to the missing values or fix the data.` };
  }
  return { ...column, type: 'categorical', categories: sortCategories(distinct).join(', '), note: `${distinct.length} different values in the sample, so treated as categories.` };
}

/** Proposes every column of a sample. */
export function inferColumns(sample: CsvSample, missingValues: readonly string[] = DEFAULT_MISSING_VALUES): DraftColumn[] {
  return sample.header.map((name, index) => inferColumn(name, sample.rows.map((row) => row[index] ?? ''), missingValues));
}

const LABEL_NAME = /^(?:target|label|outcome|class|y|diagnosis|disease|death|died|mortality|deceased|readmitted|readmission|event)$/i;

/** The column proposed as the label: a categorical one named like an outcome, else the last categorical column. */
export function suggestTarget(columns: readonly DraftColumn[]): string | null {
  const categorical = columns.filter((c) => c.type === 'categorical');
  return (categorical.find((c) => LABEL_NAME.test(c.name)) ?? categorical.at(-1))?.name ?? null;
}

const POSITIVE_VALUE = /^(?:1|1\.0|yes|y|true|positive|pos|present|died|dead|deceased)$/i;

/** The category proposed as the positive class: one that reads as "yes", else the last one. */
export function suggestPositive(categories: readonly string[]): string | null {
  return categories.find((c) => POSITIVE_VALUE.test(c)) ?? categories.at(-1) ?? null;
}

/** A categorical column's values, split from the comma-separated text. */
export function splitCategories(text: string): string[] {
  return text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** A range bound as typed: a number, or NaN when empty or not a number (the schema then names the field). */
function bound(text: string): number {
  const n = parseNumber(text.trim());
  return n === null ? Number.NaN : n;
}

/** The schema's column for a draft column (input to DataSchema). */
export function draftColumnToSpec(column: DraftColumn): Record<string, unknown> {
  const name = column.name.trim();
  switch (column.type) {
    case 'numeric': {
      const unit = column.unit.trim();
      return { name, type: 'numeric', range: [bound(column.min), bound(column.max)], ...(unit ? { unit } : {}) };
    }
    case 'categorical':
      return { name, type: 'categorical', categories: splitCategories(column.categories) };
    case 'ignore':
      return { name, type: 'ignore' };
  }
}

/**
 * A column changed to another type by the person: a categorical column gets the sample's values as
 * categories, a numeric one a range around the sample, when those are still empty.
 */
export function retypeColumn(column: DraftColumn, type: DraftColumnType, cells: readonly string[], missingValues: readonly string[] = DEFAULT_MISSING_VALUES): DraftColumn {
  const next: DraftColumn = { ...column, type, note: '' };
  const missing = new Set(missingValues.map((token) => token.trim()));
  const distinct = [...new Set(cells.filter((cell) => !missing.has(cell)))];
  if (type === 'categorical' && column.categories.trim() === '' && distinct.length > 0) {
    next.categories = sortCategories(distinct).slice(0, MAX_CATEGORIES).join(', ');
  }
  if (type === 'numeric' && column.min.trim() === '' && column.max.trim() === '') {
    const numbers = distinct.map(parseNumber).filter((n): n is number => n !== null);
    if (numbers.length > 0) {
      const [low, high] = suggestRange(Math.min(...numbers), Math.max(...numbers));
      next.min = String(low);
      next.max = String(high);
    }
  }
  return next;
}

/**
 * Each column's distinct values in the sample (at most `limit`, plus the smallest and largest
 * number when they were not among them), kept for retyping columns without the file.
 */
export function distinctValues(sample: CsvSample, limit = MAX_CATEGORIES + 1): string[][] {
  return sample.header.map((_, index) => {
    const seen = new Set<string>();
    let min = Infinity;
    let max = -Infinity;
    for (const row of sample.rows) {
      const cell = row[index] ?? '';
      if (seen.size < limit) seen.add(cell);
      const n = parseNumber(cell);
      if (n !== null) {
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
    }
    if (Number.isFinite(min)) {
      seen.add(String(min));
      seen.add(String(max));
    }
    return [...seen];
  });
}
