import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ledgerToNdjson, renderOwnershipStatementHtml, type LedgerEntry, type OwnershipStatement } from '@consilium/contribution';

/** The files `consilium-hub ownership:statement` writes into its output directory. */
export const OWNERSHIP_STATEMENT_FILES = { statement: 'ownership-statement.json', html: 'ownership-statement.html', ledger: 'ledger.ndjson' } as const;

export interface WrittenOwnershipStatement {
  statement: string;
  html: string;
  ledger: string;
}

/**
 * Writes a signed statement (JSON), its printable page (HTML) and the ledger it pins (NDJSON) into
 * `dir`, created if missing. Each file is written under a temporary name, readable by its owner
 * only (0600, as audit exports are), then renamed into place over any earlier statement: a reader
 * never sees half a file. The statement comes last, so a complete statement always has its ledger.
 */
export async function writeOwnershipStatementFiles(dir: string, statement: OwnershipStatement, entries: readonly LedgerEntry[]): Promise<WrittenOwnershipStatement> {
  const out = path.resolve(dir);
  await mkdir(out, { recursive: true, mode: 0o700 });
  const files: WrittenOwnershipStatement = {
    statement: path.join(out, OWNERSHIP_STATEMENT_FILES.statement),
    html: path.join(out, OWNERSHIP_STATEMENT_FILES.html),
    ledger: path.join(out, OWNERSHIP_STATEMENT_FILES.ledger),
  };
  const contents: Array<[string, string]> = [
    [files.ledger, ledgerToNdjson(entries)],
    [files.html, renderOwnershipStatementHtml(statement)],
    [files.statement, `${JSON.stringify(statement, null, 2)}\n`],
  ];
  for (const [file, text] of contents) {
    const temp = `${file}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await writeFile(temp, text, { flag: 'wx', mode: 0o600 });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
  return files;
}
