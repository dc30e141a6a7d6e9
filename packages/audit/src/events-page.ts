import { auditEvents, type Executor } from '@consilium/db';
import { and, asc, desc, gt, lt, lte, type SQL } from 'drizzle-orm';
import type { AuditRecord } from './events.ts';
import type { AuditExportFilter } from './export-filter.ts';
import { filterConditions, seqRangeOf } from './export.ts';

/**
 * One page of the audit log for a viewer (the portal's /audit page): the matching events newest
 * first, by keyset pagination on `seq` — never OFFSET, so page 2,000 costs what page 1 costs.
 *
 *  - Older (the default direction): `seq < before ORDER BY seq DESC LIMIT n + 1`; the extra row
 *    says whether there is an older page, whose cursor is the last event's seq.
 *  - Newer: `seq > after ORDER BY seq ASC LIMIT n + 1`, reversed; the page just above a cursor.
 *
 * The filter is the export's (same SQL conditions, see `filterConditions`): study, site, action and
 * actor each have an index on (column, seq), which PostgreSQL walks backwards for a newest-first
 * page. A time range is first turned into a seq range with the occurred_at index (`seqRangeOf`),
 * so an unfiltered walk of the primary key stops at the range's ends.
 */
export interface AuditEventsPageOptions {
  /** Events older than this seq (exclusive): the "Older" cursor. */
  before?: number | undefined;
  /** Events newer than this seq (exclusive): the "Newer" cursor. Ignored when `before` is given. */
  after?: number | undefined;
  /** Events per page (1..1000). */
  limit: number;
}

export interface AuditEventsPage {
  /** Newest first. */
  events: AuditRecord[];
  /** `before` cursor of the next older page, or null when there is none. */
  olderCursor: number | null;
  /** `after` cursor of the next newer page, or null when this is the newest. */
  newerCursor: number | null;
}

export const MAX_AUDIT_PAGE_SIZE = 1000;

/** The page's conditions: the filter's, with a time range narrowed to its seq range; null when the range is empty. */
async function pageConditions(db: Executor, filter: AuditExportFilter): Promise<SQL[] | null> {
  const conditions = filterConditions(filter);
  if (filter.from || filter.to) {
    const range = await seqRangeOf(db, filter, Number.MAX_SAFE_INTEGER);
    if (range.upTo <= range.after) return null;
    conditions.push(gt(auditEvents.seq, range.after), lte(auditEvents.seq, range.upTo));
  }
  return conditions;
}

function olderQuery(db: Executor, conditions: SQL[], before: number | undefined, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(...(before === undefined ? [] : [lt(auditEvents.seq, before)]), ...conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);
}

function newerQuery(db: Executor, conditions: SQL[], after: number, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, after), ...conditions))
    .orderBy(asc(auditEvents.seq))
    .limit(limit + 1);
}

/**
 * The SQL of the page's main query exactly as `auditEventsPage` runs it (for EXPLAIN in tests and
 * benchmarks); null when the time range holds no event (no query is run then). The SQL, not the
 * builder: awaiting a drizzle builder runs it.
 */
export async function auditEventsPageSql(db: Executor, filter: AuditExportFilter, options: AuditEventsPageOptions): Promise<SQL | null> {
  const conditions = await pageConditions(db, filter);
  if (!conditions) return null;
  const limit = clampLimit(options.limit);
  const query =
    options.before === undefined && options.after !== undefined ? newerQuery(db, conditions, options.after, limit) : olderQuery(db, conditions, options.before, limit);
  return query.getSQL();
}

function clampLimit(limit: number): number {
  return Math.min(Math.max(1, Math.floor(limit)), MAX_AUDIT_PAGE_SIZE);
}

export async function auditEventsPage(db: Executor, filter: AuditExportFilter, options: AuditEventsPageOptions): Promise<AuditEventsPage> {
  const limit = clampLimit(options.limit);
  const conditions = await pageConditions(db, filter);
  if (!conditions) return { events: [], olderCursor: null, newerCursor: null };
  /** Whether any matching event satisfies the condition (one index probe). */
  const exists = async (condition: SQL): Promise<boolean> =>
    (await db.select({ seq: auditEvents.seq }).from(auditEvents).where(and(condition, ...conditions)).limit(1)).length > 0;

  if (options.before !== undefined || options.after === undefined) {
    const rows = await olderQuery(db, conditions, options.before, limit);
    const events = rows.slice(0, limit);
    const olderCursor = rows.length > limit ? events[events.length - 1]!.seq : null;
    let newerCursor: number | null = null;
    if (options.before !== undefined) {
      // The newest event shown (or, on an empty page, everything from the cursor up).
      const top = events[0]?.seq ?? options.before - 1;
      if (await exists(gt(auditEvents.seq, top))) newerCursor = top;
    }
    return { events, olderCursor, newerCursor };
  }

  const rows = await newerQuery(db, conditions, options.after, limit);
  const events = rows.slice(0, limit).reverse();
  const newerCursor = rows.length > limit ? events[0]!.seq : null;
  const bottom = events[events.length - 1]?.seq ?? options.after + 1;
  const olderCursor = (await exists(lt(auditEvents.seq, bottom))) ? bottom : null;
  return { events, olderCursor, newerCursor };
}
