import { Ledger, type LedgerEntry } from '@consilium/contribution';
import { ledgerEntries, type Executor } from '@consilium/db';
import { asc, eq } from 'drizzle-orm';

/** A ledger entry as JSON: amounts as decimal strings (JSON has no BigInt). */
export function ledgerEntryToJson(entry: LedgerEntry): Record<string, unknown> {
  return { ...entry, postings: entry.postings.map((p) => ({ account: p.account, amount: String(p.amount) })) };
}

/** The inverse of ledgerEntryToJson. The Ledger re-validates the result when it is appended. */
export function ledgerEntryFromJson(json: unknown): LedgerEntry {
  const raw = json as LedgerEntry & { postings: Array<{ account: string; amount: string }> };
  return { ...raw, postings: raw.postings.map((p) => ({ account: p.account, amount: BigInt(p.amount) })) };
}

/**
 * A study's ledger, replayed from its stored entries in order: every invariant (balanced entries, no
 * overdraft, unique ids) is checked again, so a tampered table is refused rather than summed.
 */
export async function loadStudyLedger(db: Executor, studyId: string): Promise<Ledger> {
  const rows = await db.select({ entry: ledgerEntries.entry }).from(ledgerEntries).where(eq(ledgerEntries.studyId, studyId)).orderBy(asc(ledgerEntries.seq));
  const ledger = new Ledger();
  for (const row of rows) ledger.append(ledgerEntryFromJson(row.entry));
  return ledger;
}

/** Appends entries to the ledger (which refuses an invalid one before anything is written) and stores them. */
export async function appendLedgerEntries(tx: Executor, studyId: string, ledger: Ledger, entries: readonly LedgerEntry[]): Promise<void> {
  for (const entry of entries) ledger.append(entry);
  if (entries.length === 0) return;
  await tx.insert(ledgerEntries).values(
    entries.map((entry) => ({ id: entry.id, studyId, kind: entry.kind, siteId: entry.siteId, round: entry.round, entry: ledgerEntryToJson(entry) })),
  );
}
