import { studies, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { StudySpec } from '@consilium/schemas';
import { eq } from 'drizzle-orm';

export type StudyRow = typeof studies.$inferSelect;
export interface LoadedStudy {
  row: StudyRow;
  spec: StudySpec;
}

/** Loads a study and its typed spec; `forUpdate` locks the row for the rest of the transaction. */
export async function loadStudy(db: Executor, studyId: string, options: { forUpdate?: boolean } = {}): Promise<LoadedStudy> {
  const query = db.select().from(studies).where(eq(studies.id, studyId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Study ${studyId} does not exist`, { details: { studyId } });
  return { row, spec: StudySpec.parse(row.spec) };
}

/** Whether the study's updates are encrypted under a multiparty key. */
export function isEncrypted(spec: StudySpec): boolean {
  return spec.privacy.secureAggregation === 'ckks-multiparty';
}
