/**
 * The ledger as NDJSON: one entry per line, in append order, as canonical JSON (keys sorted at every
 * level) with BigInt amounts written as decimal strings ("-2500000"), since JSON numbers cannot
 * carry them exactly. This is the file a verifier passes to `consilium-ownership verify --ledger`,
 * and the same serialisation, wrapped in `[` `]`, is what an ownership statement's ledger digest
 * hashes (see statement.ts). Parsing is strict: a line that is not an entry names its line number.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import { canonicalJson } from '@consilium/protocol';
import { z } from 'zod';
import type { Evidence } from './evidence.ts';
import type { EntryKind, LedgerEntry } from './ledger.ts';


const ENTRY_KINDS = ['deposit', 'fund', 'stake', 'release', 'reward', 'slash'] as const satisfies readonly EntryKind[];

const NdjsonEntry = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(ENTRY_KINDS),
  studyId: z.string().min(1).nullable(),
  siteId: z.string().min(1).nullable(),
  round: z.number().int().nonnegative().nullable(),
  memo: z.string(),
  postings: z
    .array(
      z.strictObject({
        account: z.string().min(1),
        amount: z
          .string()
          .regex(/^-?(0|[1-9][0-9]*)$/, 'must be an integer amount of micro-credits as a decimal string')
          .transform((s) => BigInt(s)),
      }),
    )
    .min(1),
  // Evidence is plain JSON stored as written; its meaning is checked by whoever re-derives it.
  evidence: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** Serialises entries, one canonical JSON line each (with a trailing newline; '' for no entries). */
export function ledgerToNdjson(entries: Iterable<LedgerEntry>): string {
  let text = '';
  for (const entry of entries) text += `${canonicalJson(entry)}\n`;
  return text;
}

/**
 * Parses ledger NDJSON back into entries, in file order. Accepts `\r\n` line ends and one trailing
 * newline; throws INVALID_INPUT naming the first bad line. Checks the format only: whether the
 * entries balance and replay is `replay`'s job.
 */
export function parseLedgerNdjson(text: string): LedgerEntry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const where = `ledger NDJSON line ${i + 1}`;
    if (line.trim() === '') throw new AppError(ErrorCode.INVALID_INPUT, `${where} is empty`, { details: { line: i + 1 } });
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new AppError(ErrorCode.INVALID_INPUT, `${where} is not valid JSON`, { cause, details: { line: i + 1 } });
    }
    const parsed = NdjsonEntry.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`);
      throw new AppError(ErrorCode.INVALID_INPUT, `${where} is not a ledger entry: ${issues.join('; ')}`, { details: { line: i + 1, issues } });
    }
    const { evidence, ...rest } = parsed.data;
    return evidence === undefined ? rest : { ...rest, evidence: evidence as unknown as Evidence[] };
  });
}
