import { rounds, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { VectorEncoding } from '@consilium/schemas';
import { eq } from 'drizzle-orm';

export type RoundRow = typeof rounds.$inferSelect;
export interface LoadedRound {
  row: RoundRow;
  encoding: VectorEncoding;
}

/** Loads a round with its typed encoding; `forUpdate` locks it (serialises submissions to one round). */
export async function loadRound(db: Executor, roundId: string, options: { forUpdate?: boolean } = {}): Promise<LoadedRound> {
  const query = db.select().from(rounds).where(eq(rounds.id, roundId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Round ${roundId} does not exist`, { details: { roundId } });
  return { row, encoding: VectorEncoding.parse(row.encoding) };
}

/** Whether a round still takes submissions. */
export function isCollecting(row: RoundRow): boolean {
  return row.status === 'open' || row.status === 'collecting';
}
