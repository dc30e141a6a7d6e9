import { AppError, ErrorCode } from '@consilium/errors';
import type { VectorEncoding } from '@consilium/schemas';
import { encryptVectorChunks, packCiphertext } from '@consilium/secagg';
import type { TaskContext } from './task-context.ts';

/**
 * The privacy layer on the site side: turns a round's additive vector into what is uploaded —
 * CKKS ciphertexts under the collective key, or float64 bytes in a plaintext study. Ciphertexts are
 * produced lazily, one chunk at a time, for TaskContext.uploadStreamed to write to disk as they come.
 */
export async function encodeVector(
  ctx: TaskContext,
  task: { studyId: string; roundIndex: number; encoding: VectorEncoding; publicKeyHash?: string | undefined },
  vector: Float64Array,
): Promise<Iterable<Uint8Array>> {
  const { encoding } = task;
  if (vector.length !== encoding.length) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `Round ${task.roundIndex} expects a vector of ${encoding.length} values but this agent produced ${vector.length}: the agent and hub disagree about the study (version mismatch?)`,
    );
  }
  if (encoding.scheme === 'plaintext') return [new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength))];

  const [context, publicKey] = await Promise.all([ctx.ckks(encoding.ckks), ctx.publicKey(task.studyId, task.publicKeyHash)]);
  const bar = ctx.progress.start(`round ${task.roundIndex}: encrypting`, encoding.chunkCount);
  return (function* () {
    for (const ciphertext of encryptVectorChunks(context, publicKey, vector, encoding.scaleBits, { onProgress: (done) => bar.update(done) })) {
      yield packCiphertext(context, ciphertext, encoding.scaleBits);
    }
    bar.finish(`${encoding.chunkCount} ciphertext(s)`);
  })();
}
