import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { auditEvents, auditHead, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { parsePrivateKey } from '@consilium/protocol';
import { and, asc, eq, gt, gte, lt, lte, max, min, type SQL } from 'drizzle-orm';
import { AuditChainVerifier, type ChainBreak } from './chain-verifier.ts';
import type { AuditRecord } from './events.ts';
import { matchesFilter, parseAuditExportFilter, type AuditExportFilter } from './export-filter.ts';
import { exportHeader, formatExportRecord, type AuditExportFormat } from './export-format.ts';
import { GENESIS_HASH } from './hash.ts';
import { manifestPathFor, signAuditExportManifest, type AuditExportManifest } from './manifest.ts';

/**
 * Audit log export. Events are read by keyset pagination on `seq` (`seq > last seen ORDER BY seq
 * LIMIT n`), one page in memory at a time, and written as they are read: exporting a million
 * events costs the memory of one page. The export is a consistent cut: it stops at the chain head
 * read when it began, so events appended meanwhile are left for the next export.
 *
 * A filtered export (any of study, site, actor, action, time range) is not a contiguous chain:
 * the events between two exported ones are missing by design, so prev_hash links cannot be
 * followed. Each event still carries seq, prev_hash and hash, so a verifier recomputes every
 * event's hash from its own content; the signed manifest (count, first, last, file digest) then
 * guards the selection as a whole. export-checker.ts says exactly what is checked in each case.
 *
 * Because a filtered export cannot show that the events it holds are the ones the chain holds (an
 * event edited in the database with its own hash recomputed re-hashes correctly on its own), the
 * hub verifies the whole chain, events 1 to the head, while exporting — filtered or not — and
 * refuses to write or sign anything on a break. A filtered export therefore reads every event (in
 * the same keyset pages, one page in memory) and writes only the matching ones.
 */

/** Events per keyset page: larger pages are faster (fewer queries), and one page is all that is in memory. */
export const DEFAULT_EXPORT_PAGE_SIZE = 5000;

export interface AuditChainHead {
  seq: number;
  hash: string;
}

/** The chain head (last seq and hash); seq 0 and the genesis hash for an empty log. */
export async function readAuditHead(db: Executor): Promise<AuditChainHead> {
  const [head] = await db.select({ seq: auditHead.seq, hash: auditHead.hash }).from(auditHead).where(eq(auditHead.id, 1));
  return head ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * The filter as SQL conditions. Study, site and action each have an index on (column, seq), so
 * the keyset walk in seq order reads only matching rows; the time range is turned into a seq range
 * once, up front, with the occurred_at index (see `seqRangeOf`).
 */
export function filterConditions(filter: AuditExportFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.studyId) conditions.push(eq(auditEvents.studyId, filter.studyId));
  if (filter.siteId) conditions.push(eq(auditEvents.siteId, filter.siteId));
  if (filter.actor) conditions.push(eq(auditEvents.actor, filter.actor));
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(filter.from)));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, new Date(filter.to)));
  return conditions;
}

/**
 * The seq range holding every event of the time range, found once with the occurred_at index, so
 * that the pages themselves walk the primary key. (Times normally grow with seq, but the clock may
 * step back; the page query re-checks the times, so this range is only an outer bound.)
 */
export async function seqRangeOf(db: Executor, filter: AuditExportFilter, upTo: number): Promise<{ after: number; upTo: number }> {
  if (!filter.from && !filter.to) return { after: 0, upTo };
  const conditions: SQL[] = [];
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(filter.from)));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, new Date(filter.to)));
  const [range] = await db
    .select({ first: min(auditEvents.seq), last: max(auditEvents.seq) })
    .from(auditEvents)
    .where(and(...conditions));
  if (range?.first == null || range.last == null) return { after: 0, upTo: 0 };
  return { after: Number(range.first) - 1, upTo: Math.min(upTo, Number(range.last)) };
}

/** Options of `auditExportPages`. */
export interface AuditExportReadOptions {
  filter: AuditExportFilter;
  /** Read up to this seq (the head read when the export began). */
  upTo: number;
  pageSize?: number;
}

/** The matching events in seq order, one page (array) at a time. */
export async function* auditExportPages(db: Executor, options: AuditExportReadOptions): AsyncGenerator<AuditRecord[]> {
  const pageSize = options.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE;
  const conditions = filterConditions(options.filter);
  const range = await seqRangeOf(db, options.filter, options.upTo);
  const upTo = range.upTo;
  let after = range.after;
  while (after < upTo) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, after), lte(auditEvents.seq, upTo), ...conditions))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    if (page.length === 0) break;
    yield page;
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.seq;
  }
}

/** Options of `prepareAuditExport`. */
export interface AuditExportCutOptions {
  /** Validated here; `{}` or absent for the complete chain. */
  filter?: unknown;
  /**
   * The export's upper bound: events 1 to this seq are read (and verified), the matching ones
   * exported. Default: the chain head now. Fixing it (the portal's downloads do, to the head when
   * the page was shown) makes the same filter always yield the same bytes, so the export and its
   * manifest can be fetched separately. INVALID_INPUT if it is beyond the chain head.
   */
  throughSeq?: number;
}

/** What an export covers: the filter (normalised) and the chain head it stops at. */
export interface AuditExportCut {
  filter: AuditExportFilter;
  chainHead: AuditChainHead;
}

/** Validates the filter and fixes the export's upper bound (see `AuditExportCutOptions.throughSeq`). */
export async function prepareAuditExport(db: Executor, options: AuditExportCutOptions): Promise<AuditExportCut> {
  const filter = parseAuditExportFilter(options.filter);
  const head = await readAuditHead(db);
  const through = options.throughSeq;
  if (through === undefined || through === head.seq) return { filter, chainHead: head };
  if (!Number.isSafeInteger(through) || through < 0) throw new AppError(ErrorCode.INVALID_INPUT, `throughSeq must be a non-negative integer, got ${through}`, { details: { field: 'throughSeq' } });
  if (through > head.seq) {
    throw new AppError(ErrorCode.INVALID_INPUT, `throughSeq ${through} is beyond the chain head (event ${head.seq})`, { details: { field: 'throughSeq', head: head.seq } });
  }
  if (through === 0) return { filter, chainHead: { seq: 0, hash: GENESIS_HASH } };
  const [event] = await db.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).where(eq(auditEvents.seq, through));
  if (!event) throw chainBroken({ seq: through, reason: `event ${through} is missing` });
  return { filter, chainHead: { seq: event.seq, hash: event.hash } };
}

/** What was written: everything the manifest states about the file and its events. */
export interface AuditExportTotals {
  count: number;
  first: AuditChainHead | null;
  last: AuditChainHead | null;
  bytes: number;
  sha256: string;
}

/**
 * Produces an export's bytes, chunk by chunk, through `write` (awaited before the next page is
 * read, so a slow consumer — a file, an HTTP response — holds back the reading): each page of the
 * chain read, its events verified (hash and link, see chain-verifier.ts), the matching ones
 * formatted and hashed. One page is in memory at a time. Throws INVALID_DATA naming the first bad
 * event if the chain does not verify up to the cut's head — possibly after some bytes were written,
 * so the consumer must discard them. The CLI's file and the hub's HTTP download are both written
 * by this function: the same cut gives the same bytes.
 */
export async function produceAuditExport(
  db: Executor,
  cut: AuditExportCut,
  options: { format: AuditExportFormat; pageSize?: number | undefined },
  write: (chunk: Buffer) => Promise<void> | void,
): Promise<AuditExportTotals> {
  const digest = createHash('sha256');
  const chain = new AuditChainVerifier();
  let bytes = 0;
  let count = 0;
  let first: AuditChainHead | null = null;
  let last: AuditChainHead | null = null;
  const emit = async (text: string) => {
    const chunk = Buffer.from(text, 'utf8');
    digest.update(chunk);
    bytes += chunk.length;
    await write(chunk);
  };
  const header = exportHeader(options.format);
  if (header) await emit(header);
  // The whole chain, 1 to the head, whatever the filter: every event is verified, the matching ones written.
  for await (const page of auditExportPages(db, { filter: {}, upTo: cut.chainHead.seq, pageSize: options.pageSize })) {
    let text = '';
    for (const record of page) {
      if (!chain.push(record)) throw chainBroken(chain.finish().firstBreak);
      if (!matchesFilter(record, cut.filter)) continue;
      text += formatExportRecord(options.format, record);
      first ??= { seq: record.seq, hash: record.hash };
      last = { seq: record.seq, hash: record.hash };
      count += 1;
    }
    if (text) await emit(text);
  }
  const verified = chain.finish(cut.chainHead);
  if (!verified.ok) throw chainBroken(verified.firstBreak);
  return { count, first, last, bytes, sha256: digest.digest('hex') };
}

/** The signed manifest of an export produced from `cut` (see manifest.ts). */
export function signAuditExport(
  cut: AuditExportCut,
  totals: AuditExportTotals,
  options: { format: AuditExportFormat; fileName: string; exportedAt: Date; signingKeyPem: string },
): AuditExportManifest {
  return signAuditExportManifest(
    {
      type: 'consilium.audit-export',
      version: 1,
      format: options.format,
      exportedAt: options.exportedAt.toISOString(),
      filter: cut.filter,
      chainHead: cut.chainHead,
      count: totals.count,
      first: totals.first,
      last: totals.last,
      file: { name: options.fileName, bytes: totals.bytes, sha256: totals.sha256 },
    },
    options.signingKeyPem,
  );
}

/** Options of `writeAuditExport`. */
export interface WriteAuditExportOptions {
  format: AuditExportFormat;
  /** Validated here; `{}` or absent for the complete chain. */
  filter?: unknown;
  /** The export file; its manifest is written to `<out>.manifest.json`. */
  out: string;
  /** The hub's Ed25519 private key (PKCS#8 PEM) that signs the manifest. */
  signingKeyPem: string;
  pageSize?: number;
  /** Stop at this seq instead of the chain head (see `AuditExportCutOptions.throughSeq`). */
  throughSeq?: number;
  now?: () => Date;
}

export interface WrittenAuditExport {
  file: string;
  manifestFile: string;
  manifest: AuditExportManifest;
}

/**
 * Streams an export to `out` (`produceAuditExport`), then writes the signed manifest next to it.
 * Both are written under random temporary names, created exclusively with mode 0600, and renamed,
 * so a failed export leaves no half-written file that looks complete. Throws INVALID_DATA naming
 * the first bad event if the stored chain does not verify up to the head; nothing is then written
 * or signed.
 */
export async function writeAuditExport(db: Executor, options: WriteAuditExportOptions): Promise<WrittenAuditExport> {
  const filter = parseAuditExportFilter(options.filter);
  parsePrivateKey(options.signingKeyPem); // a bad key fails now, not after a million events
  const now = options.now ?? (() => new Date());
  const exportedAt = now();
  const cut = await prepareAuditExport(db, { filter, ...(options.throughSeq === undefined ? {} : { throughSeq: options.throughSeq }) });
  const out = path.resolve(options.out);
  const manifestFile = manifestPathFor(out);
  const temp = `${out}.${randomBytes(6).toString('hex')}.partial`;

  let totals: AuditExportTotals;
  const file = await open(temp, 'wx', 0o600);
  try {
    totals = await produceAuditExport(db, cut, { format: options.format, pageSize: options.pageSize }, async (chunk) => {
      await file.write(chunk);
    });
    await file.sync();
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }

  let manifestTemp: string | null = null;
  try {
    const manifest = signAuditExport(cut, totals, { format: options.format, fileName: path.basename(out), exportedAt, signingKeyPem: options.signingKeyPem });
    manifestTemp = `${manifestFile}.${randomBytes(6).toString('hex')}.partial`;
    await writeFile(manifestTemp, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    await rename(temp, out);
    await rename(manifestTemp, manifestFile);
    return { file: out, manifestFile, manifest };
  } catch (error) {
    await rm(temp, { force: true });
    if (manifestTemp) await rm(manifestTemp, { force: true });
    throw error;
  }
}

function chainBroken(firstBreak: ChainBreak | null): AppError {
  const seq = firstBreak?.seq ?? null;
  return new AppError(
    ErrorCode.INVALID_DATA,
    `The audit chain is broken at event ${seq ?? '?'}: ${firstBreak?.reason ?? 'unknown reason'}. Nothing was exported: an export of a tampered log would be signed by the hub.`,
    { details: { seq, reason: firstBreak?.reason ?? null } },
  );
}
