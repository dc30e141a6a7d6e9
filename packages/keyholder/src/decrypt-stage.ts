import { AppError, ErrorCode } from '@consilium/errors';
import { checkAggregateProvenance, decodeEnvelope, sha256Hex, type SignedSubmission } from '@consilium/protocol';
import { AggregateHeader, parseOrThrow, SubmissionsHeader, type DecryptTask, type RosterEntry } from '@consilium/schemas';
import { addWireCiphertext, createPartialDecryptor, readWireCiphertext, type CkksContext } from '@consilium/secagg';
import { ownPoint, rosterKeys } from './roster.ts';

const LIMITS = { maxHeaderBytes: 16 * 1024 * 1024, maxPartBytes: 64 * 1024 * 1024, maxTotalBytes: 2 ** 36 };

/**
 * Malformed bytes from the hub are a reason to refuse, not to retry: the hub would serve the same
 * bytes again. Any other domain error while reading becomes DECRYPTION_REFUSED naming it.
 */
function refusingOnError<T>(task: DecryptTask, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AppError && error.code !== ErrorCode.DECRYPTION_REFUSED) {
      throw new AppError(ErrorCode.DECRYPTION_REFUSED, `Refusing to decrypt round ${task.roundIndex}: the ${what} served by the hub is malformed (${error.message})`, { cause: error });
    }
    throw error;
  }
}

/** Reads the aggregate download and checks it is the sealed aggregate the task names. */
export function readAggregate(task: DecryptTask, download: Uint8Array): Uint8Array[] {
  return refusingOnError(task, 'aggregate', () => readAggregateUnchecked(task, download));
}

function readAggregateUnchecked(task: DecryptTask, download: Uint8Array): Uint8Array[] {
  const envelope = decodeEnvelope(download, { ...LIMITS, maxHeaderBytes: 16 * 1024, maxParts: task.chunkCount });
  const header = parseOrThrow(AggregateHeader, envelope.header, 'aggregate header');
  const actual = sha256Hex(envelope.parts);
  if (header.roundId !== task.roundId || header.studyId !== task.studyId || header.aggregateHash !== task.aggregateHash || actual !== task.aggregateHash) {
    throw new AppError(ErrorCode.DECRYPTION_REFUSED, `Refusing to decrypt round ${task.roundIndex}: the aggregate served is not the sealed aggregate the round announced (hash ${actual.slice(0, 12)}…)`);
  }
  return envelope.parts;
}

/** Reads the submissions download: each accepted submission with its signature and chunks. */
export function readSubmissions(task: DecryptTask, download: Uint8Array): SignedSubmission[] {
  return refusingOnError(task, 'list of submissions', () => readSubmissionsUnchecked(task, download));
}

function readSubmissionsUnchecked(task: DecryptTask, download: Uint8Array): SignedSubmission[] {
  const envelope = decodeEnvelope(download, { ...LIMITS, maxParts: 100_000 * task.chunkCount });
  const header = parseOrThrow(SubmissionsHeader, envelope.header, 'submissions header');
  if (header.roundId !== task.roundId || header.studyId !== task.studyId || header.chunkCount !== task.chunkCount || envelope.parts.length !== header.submissions.length * task.chunkCount) {
    throw new AppError(ErrorCode.DECRYPTION_REFUSED, `Refusing to decrypt round ${task.roundIndex}: the submissions served do not match the round (${envelope.parts.length} chunks for ${header.submissions.length} submissions of ${task.chunkCount})`);
  }
  return header.submissions.map((s, i) => ({ ...s, parts: envelope.parts.slice(i * task.chunkCount, (i + 1) * task.chunkCount) }));
}

/**
 * The decryption a committee member performs — only after checking that the aggregate is the sum of
 * at least the study's minimum number of submissions of this round, from distinct pinned sites, each
 * validly signed (see checkAggregateProvenance). Returns the decryption-share upload parts.
 * Throws DECRYPTION_REFUSED (to be reported to the hub and logged locally) when the check fails.
 */
export function runDecryptStage(
  ctx: CkksContext,
  task: DecryptTask,
  input: {
    selfSiteId: string;
    keyShare: Uint8Array;
    /** Pinned at the key ceremony, never taken from the task: the hub must not lower the bar. */
    pinned: { roster: readonly RosterEntry[]; minSubmissions: number };
    aggregate: readonly Uint8Array[];
    submissions: readonly SignedSubmission[];
    onChunk?: (done: number) => void;
  },
): Uint8Array[] {
  const self = ownPoint({ committee: task.decryptors }, input.selfSiteId);
  checkAggregateProvenance({
    studyId: task.studyId,
    roundId: task.roundId,
    roundIndex: task.roundIndex,
    roster: rosterKeys(input.pinned.roster),
    // A sum of one site is that site's update, whatever a study spec says.
    minSubmissions: Math.max(2, input.pinned.minSubmissions, task.minSubmissions),
    submissions: input.submissions,
    aggregate: input.aggregate,
    // The hub's own ingest path: the strict wire reader, then the addition into the serialized sum.
    addPart: (sum, part) => addWireCiphertext(ctx, sum, readWireCiphertext(ctx, part, { scaleBits: task.scaleBits })),
  });
  const decryptor = createPartialDecryptor(ctx, input.keyShare, { self, decryptors: task.decryptors.map((d) => d.point) });
  try {
    return input.aggregate.map((chunk, i) => {
      const share = decryptor.decrypt(chunk);
      input.onChunk?.(i + 1);
      return share;
    });
  } finally {
    decryptor.dispose();
  }
}
