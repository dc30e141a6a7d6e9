import { decryptionShares, roundChunks, rounds, sites, studySites, submissions, type Transaction } from '@consilium/db';
import { and, eq, inArray } from 'drizzle-orm';
import { committeeOf } from '../ceremony/committee.ts';
import type { DomainContext } from '../context.ts';
import type { LoadedStudy } from '../studies/load-study.ts';
import type { AuditTrail } from '../transaction.ts';
import type { LoadedRound } from './load-round.ts';

/** An attempt gets a third of the decryption deadline (at least 5 s), so a round can ask up to three sets. */
export function attemptWindowMs(study: LoadedStudy): number {
  return Math.max(5000, Math.floor((study.spec.federation.decryptionDeadlineSeconds * 1000) / 3));
}

/** A member that polled this recently is taken to be online (agents poll every few seconds). */
const ONLINE_MS = 60_000;

/**
 * Picks the t committee members asked to decrypt a sealed round, and starts a new attempt. Lagrange
 * coefficients depend on the set, so it is fixed before anyone decrypts. No member is ever asked
 * twice for the same aggregate: two shares λ·S·c1 + e and λ'·S·c1 + e' of one aggregate for two
 * sets would give the hub λ'e − λe' (mod q) coefficientwise, a 2-D lattice problem that recovers the
 * small noises and then the member's key share. So a later attempt takes members from outside every
 * earlier set (`excluded`); when fewer than t are left, the round fails and is retried with fresh
 * submissions. Prefers members that are online (polled in the last minute), then those that
 * submitted to this round, then the most recently seen. Returns the reason when fewer than t
 * members are left (the caller fails the round).
 */
export async function chooseDecryptors(
  ctx: DomainContext,
  tx: Transaction,
  audit: AuditTrail,
  study: LoadedStudy,
  round: LoadedRound,
  excluded: readonly string[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const committee = committeeOf(study);
  const threshold = study.row.threshold!;
  const rows = await tx.select({ id: sites.id, status: sites.status, lastSeenAt: sites.lastSeenAt }).from(sites).where(inArray(sites.id, committee));
  // A member that withdrew its consent takes no part any more (like an offline one): never asked.
  const approved = new Set(
    (
      await tx
        .select({ siteId: studySites.siteId })
        .from(studySites)
        .where(and(eq(studySites.studyId, study.row.id), eq(studySites.consent, 'approved')))
    ).map((m) => m.siteId),
  );
  const submitted = new Set((await tx.select({ siteId: submissions.siteId }).from(submissions).where(eq(submissions.roundId, round.row.id))).map((s) => s.siteId));
  const candidates = committee
    .filter((id) => !excluded.includes(id) && approved.has(id) && rows.find((r) => r.id === id)?.status === 'active')
    .map((id, order) => {
      const seen = rows.find((r) => r.id === id)?.lastSeenAt?.getTime() ?? 0;
      return { id, order, online: seen >= ctx.now().getTime() - ONLINE_MS, submitted: submitted.has(id), seen };
    })
    .sort((a, b) => Number(b.online) - Number(a.online) || Number(b.submitted) - Number(a.submitted) || b.seen - a.seen || a.order - b.order);
  if (candidates.length < threshold) {
    const reason = `decryption needs ${threshold} committee members not yet asked for this aggregate; only ${candidates.length} remain`;
    return { ok: false, reason };
  }
  // Keep committee order inside the set: it is what the Lagrange coefficients are computed over.
  const decryptors = candidates
    .slice(0, threshold)
    .map((c) => c.id)
    .sort((a, b) => committee.indexOf(a) - committee.indexOf(b));
  const now = ctx.now();
  const roundDeadline = round.row.decryptDeadlineAt?.getTime() ?? now.getTime() + study.spec.federation.decryptionDeadlineSeconds * 1000;
  const attemptDeadlineAt = new Date(Math.min(roundDeadline, now.getTime() + attemptWindowMs(study)));
  const attempt = round.row.decryptAttempt + 1;
  // Shares of an earlier set cannot be combined with this set's: start the sums afresh.
  await tx.update(roundChunks).set({ shareSum: null }).where(eq(roundChunks.roundId, round.row.id));
  await tx.update(rounds).set({ decryptors, decryptAttempt: attempt, attemptDeadlineAt, excludedDecryptors: [...excluded], shareCount: 0 }).where(eq(rounds.id, round.row.id));
  audit.record({
    action: 'round.decryptors_chosen',
    actor: 'hub',
    studyId: study.row.id,
    roundId: round.row.id,
    payload: { attempt, decryptors, excluded: [...excluded], attemptDeadlineAt: attemptDeadlineAt.toISOString() },
  });
  round.row = { ...round.row, decryptors, decryptAttempt: attempt, attemptDeadlineAt, excludedDecryptors: [...excluded], shareCount: 0 };
  return { ok: true };
}

/** Which of the current decryptors have answered the current attempt. */
export async function answeredDecryptors(tx: Transaction, round: LoadedRound): Promise<string[]> {
  const rows = await tx.select({ siteId: decryptionShares.siteId, attempt: decryptionShares.attempt }).from(decryptionShares).where(eq(decryptionShares.roundId, round.row.id));
  return rows.filter((r) => r.attempt === round.row.decryptAttempt).map((r) => r.siteId);
}
