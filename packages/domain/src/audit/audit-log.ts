import { auditEventsPage, parseAuditExportFilter, type AuditRecord } from '@consilium/audit';
import type { DomainContext } from '../context.ts';

/** A page of the audit log as a viewer reads it (the portal's /audit page). */
export interface AuditLogPageInput {
  /** The export's filter (study, site, actor, action, from, to); validated here, INVALID_INPUT when bad. */
  filter: unknown;
  /** Older page: events with seq below this cursor. */
  after?: number | undefined;
  /** Newer page: events with seq above this cursor (ignored with `after`). */
  newerThan?: number | undefined;
  limit: number;
}

export interface AuditLogPage {
  /** Newest first. */
  events: AuditRecord[];
  /** `after` of the next older page; null on the oldest. */
  nextCursor: number | null;
  /** `newerThan` of the next newer page; null on the newest. */
  prevCursor: number | null;
}

/**
 * One keyset page of the audit log, newest first, filtered like an export (packages/audit's
 * `auditEventsPage`): the compliance officer's viewer. Read-only; reading is not itself audited.
 */
export async function listAuditEvents(ctx: DomainContext, input: AuditLogPageInput): Promise<AuditLogPage> {
  const filter = parseAuditExportFilter(input.filter);
  const page = await auditEventsPage(ctx.db, filter, { before: input.after, after: input.newerThan, limit: input.limit });
  return { events: page.events, nextCursor: page.olderCursor, prevCursor: page.newerCursor };
}
