import { auditActions, listAuditEvents, verifyAuditChain, type AuditAction } from '@consilium/domain';
import { Id } from '@consilium/schemas';
import { z } from 'zod';
import { userProcedure, createTRPCRouter } from '../trpc.ts';

const Cursor = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** An instant with its zone (`2025-03-01T09:00:00Z`, `…+01:00`) or a calendar date (midnight UTC). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const AuditEventsInput = z
  .object({
    studyId: Id.optional(),
    siteId: Id.optional(),
    actor: z.string().trim().min(1).max(200).optional(),
    // Only catalogued actions (`audit.actions`): a misspelt one would silently match nothing.
    action: z.enum(auditActions as [AuditAction, ...AuditAction[]]).optional(),
    /** Inclusive. */
    from: Instant.optional(),
    /** Exclusive. */
    to: Instant.optional(),
    /** Keyset cursor of an older page: `nextCursor` of the page before. */
    after: Cursor.optional(),
    /** Keyset cursor of a newer page: `prevCursor` of the page before (ignored with `after`). */
    newerThan: Cursor.optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine((i) => i.from === undefined || i.to === undefined || Date.parse(i.from) < Date.parse(i.to), { message: '`from` must be before `to`', path: ['to'] });

const AuditEventOutput = z.object({
  seq: z.number().int(),
  occurredAt: z.string(),
  actor: z.string(),
  action: z.string(),
  studyId: z.string().nullable(),
  siteId: z.string().nullable(),
  roundId: z.string().nullable(),
  payload: z.unknown(),
  hash: z.string(),
});

export const auditRouter = createTRPCRouter({
  /** Re-verifies the whole hash chain of the audit log. */
  verify: userProcedure
    .output(z.object({ ok: z.boolean(), count: z.number(), lastHash: z.string(), firstBreak: z.object({ seq: z.number(), reason: z.string() }).nullable() }))
    .query(({ ctx }) => verifyAuditChain(ctx.domain.db)),

  /**
   * The audit log, newest first, one keyset page at a time (`seq < after ORDER BY seq DESC`), filtered
   * like `consilium-hub audit:export`: study, site, actor, action, time range [from, to).
   */
  events: userProcedure
    .input(AuditEventsInput)
    .output(z.object({ events: z.array(AuditEventOutput), nextCursor: z.number().int().nullable(), prevCursor: z.number().int().nullable() }))
    .query(async ({ ctx, input }) => {
      const { after, newerThan, limit, ...filter } = input;
      const page = await listAuditEvents(ctx.domain, { filter, after, newerThan, limit });
      return {
        events: page.events.map((e) => ({
          seq: e.seq,
          occurredAt: e.occurredAt.toISOString(),
          actor: e.actor,
          action: e.action,
          studyId: e.studyId,
          siteId: e.siteId,
          roundId: e.roundId,
          payload: e.payload,
          hash: e.hash,
        })),
        nextCursor: page.nextCursor,
        prevCursor: page.prevCursor,
      };
    }),

  /** The catalogue of audited action names, for a viewer's filter. */
  actions: userProcedure.output(z.array(z.string())).query(() => [...auditActions]),
});
