import { verifyAuditChain } from '@consilium/domain';
import { z } from 'zod';
import { userProcedure, createTRPCRouter } from '../trpc.ts';

export const auditRouter = createTRPCRouter({
  /** Re-verifies the whole hash chain of the audit log. */
  verify: userProcedure
    .output(z.object({ ok: z.boolean(), count: z.number(), lastHash: z.string(), firstBreak: z.object({ seq: z.number(), reason: z.string() }).nullable() }))
    .query(({ ctx }) => verifyAuditChain(ctx.domain.db)),
});
