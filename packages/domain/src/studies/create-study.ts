import { studies } from '@consilium/db';
import { canonicalJson, sha256Hex } from '@consilium/protocol';
import type { StudySpec } from '@consilium/schemas';
import type { DomainContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/** Creates a study from a validated spec. It waits in `enrolling` until its sites have enrolled. */
export async function createStudy(ctx: DomainContext, input: { spec: StudySpec; actor: string }): Promise<{ studyId: string }> {
  const specHash = sha256Hex(canonicalJson(input.spec));
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [row] = await tx.insert(studies).values({ name: input.spec.name, spec: input.spec, createdAt: ctx.now() }).returning({ id: studies.id });
    const studyId = row!.id;
    audit.record({
      action: 'study.created',
      actor: input.actor,
      studyId,
      payload: { name: input.spec.name, specHash, secureAggregation: input.spec.privacy.secureAggregation },
    });
    return { studyId };
  });
}
