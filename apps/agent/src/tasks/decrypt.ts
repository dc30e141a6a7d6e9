import { AppError, ErrorCode } from '@consilium/errors';
import { decodeEnvelope, sha256Hex } from '@consilium/protocol';
import { AggregateHeader, parseOrThrow, type DecryptTask } from '@consilium/schemas';
import { partialDecrypt } from '@consilium/secagg';
import type { TaskContext } from './task-context.ts';

/**
 * Partial decryption of a round's sealed aggregate with this site's secret share (plus smudging
 * noise). The site decrypts at most one aggregate per round: a hub that asks again with different
 * bytes for the same round is refused — it would be trying to use the site as a decryption oracle.
 */
export async function runDecrypt(ctx: TaskContext, task: DecryptTask): Promise<void> {
  const state = ctx.state(task.studyId);
  const previous = await state.decryptedAggregate(task.roundId);
  if (previous && previous !== task.aggregateHash) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `Refusing to decrypt round ${task.roundIndex} again: this site already decrypted aggregate ${previous.slice(0, 12)}…, the hub now presents ${task.aggregateHash.slice(0, 12)}…`,
    );
  }
  // Never a second partial decryption of the same aggregate: fresh smudging noise on a second share
  // would let a hub average the noise away. Re-send the share already computed.
  const stored = previous ? await ctx.storedUpload('decryption-share', task.studyId, task.roundId) : null;
  if (stored) return ctx.send(task.studyId, stored);
  const { bytes } = await ctx.hub.download(`/v1/rounds/${task.roundId}/aggregate`);
  const envelope = decodeEnvelope(bytes, { maxHeaderBytes: 16 * 1024, maxParts: task.chunkCount, maxPartBytes: 64 * 1024 * 1024, maxTotalBytes: 2 ** 34 });
  const header = parseOrThrow(AggregateHeader, envelope.header, 'aggregate header');
  const actual = sha256Hex(envelope.parts);
  if (header.roundId !== task.roundId || header.studyId !== task.studyId || header.aggregateHash !== task.aggregateHash || actual !== task.aggregateHash) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `The aggregate served for round ${task.roundIndex} is not the sealed aggregate the round announced (hash ${actual.slice(0, 12)}…); refusing to decrypt`);
  }
  const study = await ctx.study(task.studyId);
  const context = await ctx.ckks(study.spec.privacy.ckks);
  const secret = await ctx.secretShare(task.studyId);

  await state.recordDecryption(task.roundId, task.aggregateHash);
  const bar = ctx.progress.start(`round ${task.roundIndex}: partial decryption`, envelope.parts.length);
  const shares = envelope.parts.map((part, i) => {
    const share = partialDecrypt(context, secret, part);
    bar.update(i + 1);
    return share;
  });
  bar.finish();
  await ctx.upload('decryption-share', task.studyId, task.roundId, shares);
}
