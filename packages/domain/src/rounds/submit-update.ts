import { roundChunks, rounds, submissionChunks, submissions } from '@consilium/db';
import { AppError, ErrorCode, isAppError } from '@consilium/errors';
import { recordProtocolViolation, replayedFrom, type ProtocolViolationReason } from '../contribution/protocol-violations.ts';
import { and, eq } from 'drizzle-orm';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { requireParticipation } from '../studies/participation.ts';
import { inTransaction } from '../transaction.ts';
import { verifyUpload } from '../uploads.ts';
import { closeAggregation } from './close-aggregation.ts';
import { isCollecting, loadRound, type LoadedRound } from './load-round.ts';
import { checkChunkCount, inChunk, loadUploadRound } from './upload-round.ts';
import { roundValueBound } from './round-encoding.ts';
import { addPart, readPart } from './vector-parts.ts';

export interface SubmissionReceipt {
  roundId: string;
  payloadSha256: string;
  /** true when this exact submission had already been accepted: nothing changed. */
  duplicate: boolean;
  submissionsSoFar: number;
}

/**
 * Accepts a site's (encrypted) update for a round. Every check that can fail runs before anything
 * is written; then, in one transaction, each chunk is added into the round's accumulator and the
 * submission is recorded (with its ciphertext, kept for the decryptors' check until the round ends)
 * and audited — an accepted submission is never lost and never counted twice.
 */
export async function submitUpdate(ctx: DomainContext, site: AuthenticatedSite, envelope: Uint8Array): Promise<SubmissionReceipt> {
  const upload = verifyUpload(site, envelope, { kind: 'submission', maxParts: 1_000_000, maxPartBytes: 64 * 1024 * 1024 }, ctx.limits);
  const { studyId, payloadSha256 } = upload.header;
  // Before anything is stored (a protocol violation included): a site that does not take part now is refused outright.
  await requireParticipation(ctx.db, site, studyId, 'submission');
  const round = await loadUploadRound(ctx, site, upload, 'submission');
  const { roundId } = round;
  // A retry of an accepted submission (say the agent restarted before it saw the receipt) is
  // answered with the original receipt, even after the round has moved on.
  const existing = await findSubmission(ctx, roundId, site.siteId);
  if (existing) return duplicateOrConflict(existing, payloadSha256, round, site);
  checkStillCollecting(round, ctx.now());

  checkChunkCount(round, upload, 'submission');
  const study = await loadStudy(ctx.db, studyId);
  const context = round.encoding.scheme === 'ckks-multiparty' ? await ctx.crypto.context(study.spec.privacy.ckks) : null;
  const violation = (reason: ProtocolViolationReason, detail: string) => recordProtocolViolation(ctx, site, { studyId, roundId, reason, detail, payloadHash: payloadSha256 });
  if (context) {
    // Encryption is randomised: the same ciphertext twice is a replay, not a coincidence.
    const earlier = await replayedFrom(ctx, site.siteId, studyId, roundId, payloadSha256);
    if (earlier !== null) {
      const detail = `the same ciphertext was already submitted for round ${earlier}`;
      await violation('replayed-ciphertext', detail);
      throw new AppError(ErrorCode.INVALID_INPUT, `Submission refused: ${detail}`);
    }
  }
  const bound = roundValueBound(study.spec, round.row.kind, round.row.participants.length);
  let addable;
  try {
    addable = upload.parts.map((part, i) => inChunk(i, () => readPart(round.encoding, context, part, bound)));
  } catch (error) {
    // Signed bytes that are not a valid update for this round: recorded as proof before refusing.
    if (isAppError(error) && (error.code === ErrorCode.INVALID_CIPHERTEXT || error.code === ErrorCode.INVALID_INPUT)) await violation('invalid-ciphertext', error.message);
    throw error;
  }

  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const locked = await loadRound(tx, roundId, { forUpdate: true });
    // Again under the round's lock: the study may have been paused, or consent withdrawn, meanwhile.
    await requireParticipation(tx, site, studyId, 'submission');
    const again = await tx.select().from(submissions).where(and(eq(submissions.roundId, roundId), eq(submissions.siteId, site.siteId)));
    if (again[0]) return duplicateOrConflict(again[0], payloadSha256, locked, site);
    checkStillCollecting(locked, ctx.now());

    for (const [chunkIndex, part] of addable.entries()) {
      const [chunk] = await tx
        .select()
        .from(roundChunks)
        .where(and(eq(roundChunks.roundId, roundId), eq(roundChunks.chunkIndex, chunkIndex)))
        .for('update');
      const accumulator = addPart(context, chunk?.accumulator ?? null, part);
      if (chunk) await tx.update(roundChunks).set({ accumulator }).where(and(eq(roundChunks.roundId, roundId), eq(roundChunks.chunkIndex, chunkIndex)));
      else await tx.insert(roundChunks).values({ roundId, chunkIndex, accumulator });
    }
    if (locked.encoding.scheme === 'ckks-multiparty') {
      // Kept until the round is decrypted: decryptors re-add them before they help (no oracle).
      for (const [chunkIndex, part] of upload.parts.entries()) {
        await tx.insert(submissionChunks).values({ roundId, siteId: site.siteId, chunkIndex, ciphertext: part });
      }
    }
    await tx.insert(submissions).values({
      roundId,
      siteId: site.siteId,
      payloadHash: payloadSha256,
      payloadBytes: upload.bytes,
      signature: upload.header.signature,
      receivedAt: ctx.now(),
    });
    const submissionsSoFar = locked.row.submissionCount + 1;
    await tx.update(rounds).set({ submissionCount: submissionsSoFar, status: 'collecting' }).where(eq(rounds.id, roundId));
    audit.record({
      action: 'round.submission_accepted',
      actor: `site:${site.siteId}`,
      studyId,
      siteId: site.siteId,
      roundId,
      payload: { payloadHash: payloadSha256, bytes: upload.bytes, submissionsSoFar },
    });
    if (submissionsSoFar === locked.row.participants.length) {
      await closeAggregation(ctx, tx, audit, study, { ...locked, row: { ...locked.row, submissionCount: submissionsSoFar, status: 'collecting' } }, 'every participant submitted');
    }
    return { roundId, payloadSha256, duplicate: false, submissionsSoFar };
  });
}

function checkStillCollecting(round: LoadedRound, now: Date): void {
  if (!isCollecting(round.row)) {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} no longer accepts submissions (status ${round.row.status})`);
  }
  if (now.getTime() > round.row.deadlineAt.getTime()) {
    throw new AppError(ErrorCode.WRONG_STATE, `Round ${round.row.index} closed at its deadline ${round.row.deadlineAt.toISOString()}`);
  }
}

async function findSubmission(ctx: DomainContext, roundId: string, siteId: string) {
  const [row] = await ctx.db.select().from(submissions).where(and(eq(submissions.roundId, roundId), eq(submissions.siteId, siteId)));
  return row;
}

function duplicateOrConflict(
  existing: typeof submissions.$inferSelect,
  payloadSha256: string,
  round: LoadedRound,
  site: AuthenticatedSite,
): SubmissionReceipt {
  if (existing.payloadHash !== payloadSha256) {
    throw new AppError(ErrorCode.CONFLICT, `Site "${site.siteName}" already submitted a different update for round ${round.row.index}`, {
      details: { accepted: existing.payloadHash, offered: payloadSha256 },
    });
  }
  return { roundId: round.row.id, payloadSha256, duplicate: true, submissionsSoFar: round.row.submissionCount };
}
