import { rounds, sites, studySites, type Transaction } from '@consilium/db';
import type { RoundKind } from '@consilium/schemas';
import { and, asc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import { roundEncoding } from './round-encoding.ts';

/**
 * Opens the next round of a study. Every active site of the study that has approved taking part
 * (consent `approved`) is a participant and may
 * contribute an update; decryption needs only `threshold` of the committee (see close-aggregation).
 */
export async function openRound(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  round: { index: number; kind: RoundKind; baseModelVersionId: string | null },
): Promise<string> {
  const members = await tx
    .select({ siteId: studySites.siteId })
    .from(studySites)
    .innerJoin(sites, eq(sites.id, studySites.siteId))
    .where(and(eq(studySites.studyId, study.row.id), eq(studySites.consent, 'approved'), eq(sites.status, 'active')))
    .orderBy(asc(studySites.joinedAt), asc(studySites.siteId));
  const participants = members.map((m) => m.siteId);
  const now = ctx.now();
  const deadlineAt = new Date(now.getTime() + study.spec.federation.roundDeadlineSeconds * 1000);
  const encoding = await roundEncoding(ctx.crypto, study.spec, round.kind, participants.length);
  const [row] = await tx
    .insert(rounds)
    .values({
      studyId: study.row.id,
      index: round.index,
      kind: round.kind,
      status: 'open',
      participants,
      encoding,
      baseModelVersionId: round.baseModelVersionId,
      keyEpoch: study.row.keyEpoch,
      openedAt: now,
      deadlineAt,
    })
    .returning({ id: rounds.id });
  audit.record({
    action: 'round.opened',
    actor: 'hub',
    studyId: study.row.id,
    roundId: row!.id,
    payload: { index: round.index, kind: round.kind, participants, deadlineAt: deadlineAt.toISOString() },
  });
  return row!.id;
}
