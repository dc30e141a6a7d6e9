import { AppError, ErrorCode } from '@consilium/errors';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import type { VerifiedUpload } from '../uploads.ts';
import { loadRound, type LoadedRound } from './load-round.ts';

/**
 * The round an upload (submission or decryption share) is for, after the checks both share: it names
 * a round, the round belongs to the study the upload names, and the site takes part in it.
 */
export async function loadUploadRound(
  ctx: DomainContext,
  site: AuthenticatedSite,
  upload: VerifiedUpload,
  what: 'submission' | 'decryption share',
  options: { committeeOnly?: boolean } = {},
): Promise<LoadedRound & { roundId: string }> {
  const { roundId, studyId } = upload.header;
  if (!roundId) throw new AppError(ErrorCode.INVALID_INPUT, `A ${what} must name its round`);
  const round = await loadRound(ctx.db, roundId);
  if (round.row.studyId !== studyId) throw new AppError(ErrorCode.INVALID_INPUT, `Round ${roundId} does not belong to study ${studyId}`);
  // Decryptors need not have submitted: a committee member that dropped out of a round can still decrypt.
  if (!options.committeeOnly && !round.row.participants.includes(site.siteId)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Site "${site.siteName}" is not a participant of round ${round.row.index}`);
  }
  return { ...round, roundId };
}

/** The upload carries one part per chunk of the round's vector. */
export function checkChunkCount(round: LoadedRound, upload: VerifiedUpload, what: 'submission' | 'decryption share'): void {
  if (upload.parts.length !== round.encoding.chunkCount) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Round ${round.row.index} has ${round.encoding.chunkCount} chunk(s); the ${what} has ${upload.parts.length}`);
  }
}

/** Runs a check on chunk `index`, prefixing any refusal with the chunk it concerns. */
export function inChunk<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, `Chunk ${index}: ${error.message}`, { details: { ...error.details, chunk: index }, cause: error });
    throw error;
  }
}
