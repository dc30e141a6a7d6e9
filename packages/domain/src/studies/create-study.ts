import { studies } from '@consilium/db';
import { canonicalJson, sha256Hex } from '@consilium/protocol';
import type { StudySpec } from '@consilium/schemas';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Creates a study from a validated spec. It waits in `enrolling` until its sites have enrolled.
 * `leadUserId` is the study lead who creates (and so manages) it; administrators create studies
 * without a lead.
 */
export async function createStudy(ctx: DomainContext, input: { spec: StudySpec; actor: string; leadUserId?: string | null }): Promise<{ studyId: string }> {
  const specHash = sha256Hex(canonicalJson(input.spec));
  const leadUserId = input.leadUserId ?? null;
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [row] = await tx.insert(studies).values({ name: input.spec.name, spec: input.spec, createdAt: ctx.now(), leadUserId }).returning({ id: studies.id });
    const studyId = row!.id;
    audit.record({
      action: 'study.created',
      actor: input.actor,
      studyId,
      payload: { name: input.spec.name, specHash, secureAggregation: input.spec.privacy.secureAggregation },
    });
    if (leadUserId) audit.record({ action: 'study.lead_assigned', actor: input.actor, studyId, payload: { leadUserId, previousLeadUserId: null } });
    return { studyId };
  });
}
