import { studies, type Transaction } from '@consilium/db';
import { eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { AuditTrail } from '../transaction.ts';
import type { LoadedStudy } from './load-study.ts';

/** Marks a study complete after its last training round. */
export async function completeStudy(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  result: { rounds: number; finalModelVersionId: string | null },
  /** Why the study ended before its planned rounds (say, its privacy budget is spent). */
  note?: string,
): Promise<void> {
  await tx.update(studies).set({ status: 'completed', completedAt: ctx.now(), failureReason: note ?? null }).where(eq(studies.id, study.row.id));
  audit.record({ action: 'study.completed', actor: 'hub', studyId: study.row.id, payload: note ? { ...result, note } : result });
}

/** Fails a study with a reason people can act on. */
export async function failStudy(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy, reason: string): Promise<void> {
  await tx.update(studies).set({ status: 'failed', failureReason: reason, completedAt: ctx.now() }).where(eq(studies.id, study.row.id));
  audit.record({ action: 'study.failed', actor: 'hub', studyId: study.row.id, payload: { reason } });
}
