import { AppError, ErrorCode } from '@consilium/errors';

/** One record and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * An incremental RFC 4180 reader: feed text as it arrives, get back the records completed so far.
 * Memory is bounded by the longest record (`maxRecordChars`), not the file: that is what lets an
 * export of millions of events be verified as a stream. Accepts CRLF (as written) and bare LF line
 * ends. Throws INVALID_INPUT, naming the line, on a quote in an unquoted field, text after a closing
 * quote, an unterminated quote, or an overlong record.
 */
export class CsvReader {
  readonly #maxRecordChars: number;
  #buffer = '';
  /** Line number of #buffer's first character. */
  #line = 1;

  constructor(options: { maxRecordChars?: number } = {}) {
    this.#maxRecordChars = options.maxRecordChars ?? 16 * 1024 * 1024;
  }

  /** Records completed by `text`. */
  push(text: string): CsvRecord[] {
    this.#buffer += text;
    return this.#drain(false);
  }

  /** The last record, if the text did not end with a line break. */
  end(): CsvRecord[] {
    return this.#drain(true);
  }

  #drain(final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    let pos = 0;
    for (;;) {
      if (pos >= this.#buffer.length) break;
      const parsed = this.#record(pos, final);
      if (parsed === null) break; // incomplete: wait for more text
      records.push({ line: this.#line, fields: parsed.fields });
      this.#line += countNewlines(this.#buffer, pos, parsed.next);
      pos = parsed.next;
    }
    this.#buffer = this.#buffer.slice(pos);
    if (this.#buffer.length > this.#maxRecordChars) this.#fail(`a record longer than ${this.#maxRecordChars} characters (an unterminated quote?)`);
    return records;
  }

  /** Parses the record starting at `start`; null when the buffer ends before it does (and more may come). */
  #record(start: number, final: boolean): { fields: string[]; next: number } | null {
    const buf = this.#buffer;
    const fields: string[] = [];
    let pos = start;
    for (;;) {
      let value: string;
      if (buf.charCodeAt(pos) === 0x22 /* " */) {
        const quoted = this.#quoted(pos, final);
        if (quoted === null) return null;
        ({ value, next: pos } = quoted);
      } else {
        const end = nextDelimiter(buf, pos);
        if (end === -1 && !final) return null;
        const stop = end === -1 ? buf.length : end;
        value = buf.slice(pos, stop);
        if (value.includes('"')) this.#fail('a quote inside an unquoted field', start, pos);
        pos = stop;
      }
      fields.push(value);
      if (pos >= buf.length) {
        if (!final) return null;
        return { fields, next: pos };
      }
      const c = buf.charCodeAt(pos);
      if (c === 0x2c /* , */) {
        pos += 1;
        continue;
      }
      if (c === 0x0a /* \n */) return { fields, next: pos + 1 };
      if (c === 0x0d /* \r */) {
        if (pos + 1 >= buf.length) return final ? { fields, next: pos + 1 } : null;
        if (buf.charCodeAt(pos + 1) === 0x0a) return { fields, next: pos + 2 };
      }
      this.#fail('text after a closing quote', start, pos);
    }
  }

  /** A quoted field starting at `start` (its opening quote): its value and the position after the closing quote. */
  #quoted(start: number, final: boolean): { value: string; next: number } | null {
    const buf = this.#buffer;
    let value = '';
    let from = start + 1;
    for (;;) {
      const quote = buf.indexOf('"', from);
      if (quote === -1) {
        if (final) this.#fail('an unterminated quoted field', start, start);
        return null;
      }
      // A quote at the very end could be the first half of an escaped "" split across chunks.
      if (quote + 1 >= buf.length && !final) return null;
      if (buf.charCodeAt(quote + 1) === 0x22) {
        value += buf.slice(from, quote + 1);
        from = quote + 2;
        continue;
      }
      return { value: value + buf.slice(from, quote), next: quote + 1 };
    }
  }

  /** `#line` is the line of the record being read, which starts at `recordStart` in the buffer. */
  #fail(what: string, recordStart = 0, at = 0): never {
    const line = this.#line + countNewlines(this.#buffer, recordStart, at);
    throw new AppError(ErrorCode.INVALID_INPUT, `CSV line ${line}: ${what}`, { details: { line } });
  }
}

/** The next `,`, `\r` or `\n` at or after `from`, or -1. */
function nextDelimiter(buf: string, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const c = buf.charCodeAt(i);
    if (c === 0x2c || c === 0x0a || c === 0x0d) return i;
  }
  return -1;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}
