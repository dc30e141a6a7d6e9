// No database import in this file: the offline verifier loads it, and drizzle alone would cost the
// verifier ~100 MiB of memory. The filter's SQL side is in export.ts.
import { AppError, ErrorCode } from '@consilium/errors';
import { z } from 'zod';
import { auditActions, type AuditAction, type AuditRecord } from './events.ts';

/** A calendar date (midnight UTC) or a date-time with a zone, normalised to `toISOString()` form. */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((text) => new Date(text).toISOString());

/**
 * Which events an export holds. Every criterion is optional; all given ones must hold. `from` is
 * inclusive and `to` exclusive, so consecutive periods (`--from 2025-01-01 --to 2025-02-01`, then
 * February) neither overlap nor leave a gap. The normalised filter is written into the signed
 * manifest, so the verifier knows what the export claims to contain and checks every event against it.
 */
export const AuditExportFilter = z
  .strictObject({
    studyId: z.guid().transform((id) => id.toLowerCase()).optional(),
    siteId: z.guid().transform((id) => id.toLowerCase()).optional(),
    actor: z.string().min(1).optional(),
    // Only catalogued actions: a misspelt action would otherwise export nothing, silently.
    action: z.enum(auditActions as [AuditAction, ...AuditAction[]]).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, { message: '`from` must be before `to`', path: ['to'] });
export type AuditExportFilter = z.output<typeof AuditExportFilter>;

/** Validates a filter (from flags or a manifest); throws INVALID_INPUT naming each bad field. */
export function parseAuditExportFilter(input: unknown): AuditExportFilter {
  const result = AuditExportFilter.safeParse(input ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`);
    throw new AppError(ErrorCode.INVALID_INPUT, `Invalid audit export filter: ${issues.join('; ')}`, { details: { issues } });
  }
  // Drop absent keys, so the manifest spells an unfiltered export as `{}`.
  const filter: AuditExportFilter = {};
  for (const [key, value] of Object.entries(result.data)) if (value !== undefined) Object.assign(filter, { [key]: value });
  return filter;
}

/** True when the filter selects a subset of the chain (events may be left out between exported ones). */
export function isFiltered(filter: AuditExportFilter): boolean {
  return Object.keys(filter).length > 0;
}

/** Whether an event belongs in an export with this filter: the offline verifier's check. */
export function matchesFilter(record: AuditRecord, filter: AuditExportFilter): boolean {
  const time = record.occurredAt.getTime();
  return (
    (filter.studyId === undefined || record.studyId === filter.studyId) &&
    (filter.siteId === undefined || record.siteId === filter.siteId) &&
    (filter.actor === undefined || record.actor === filter.actor) &&
    (filter.action === undefined || record.action === filter.action) &&
    (filter.from === undefined || time >= Date.parse(filter.from)) &&
    (filter.to === undefined || time < Date.parse(filter.to))
  );
}
