import { studies, users } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { Roles } from './roles.ts';

/**
 * Makes a study lead the manager of a study (or, with null, leaves it to administrators alone) —
 * for studies created with an administrator token, and when a lead hands a study over.
 */
export async function assignStudyLead(ctx: DomainContext, input: { studyId: string; leadUserId: string | null; actor: string }): Promise<{ leadUserId: string | null }> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const { row } = await loadStudy(tx, input.studyId, { forUpdate: true });
    if (input.leadUserId) {
      const [lead] = await tx.select().from(users).where(eq(users.id, input.leadUserId));
      if (!lead) throw new AppError(ErrorCode.NOT_FOUND, `User ${input.leadUserId} does not exist`, { details: { userId: input.leadUserId } });
      if (lead.role !== Roles.STUDY_LEAD || lead.disabledAt) {
        throw new AppError(ErrorCode.INVALID_INPUT, `${lead.email} is not an active study lead (role ${lead.role}${lead.disabledAt ? ', disabled' : ''})`, {
          details: { field: 'leadUserId' },
        });
      }
    }
    if (row.leadUserId === input.leadUserId) return { leadUserId: row.leadUserId };
    await tx.update(studies).set({ leadUserId: input.leadUserId }).where(eq(studies.id, row.id));
    audit.record({ action: 'study.lead_assigned', actor: input.actor, studyId: row.id, payload: { leadUserId: input.leadUserId, previousLeadUserId: row.leadUserId } });
    return { leadUserId: input.leadUserId };
  });
}
