import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeygenTask } from '@consilium/schemas';
import { createPublicKeyShare, generateSecretShare } from '@consilium/secagg';
import type { TaskContext } from './task-context.ts';

/**
 * Key ceremony: create this site's secret key share (kept on disk, 0600, never sent) and publish
 * the matching public-key share against the study's common random polynomial.
 */
export async function runKeygen(ctx: TaskContext, task: KeygenTask): Promise<void> {
  // One public share per secret: a second one with fresh noise would be a second RLWE sample of s_i.
  const stored = await ctx.storedUpload('keyshare', task.studyId, null);
  if (stored) return ctx.send(task.studyId, stored);
  const context = await ctx.ckks(task.ckks);
  const file = ctx.files.secretShare(task.studyId);
  let secret: Uint8Array;
  try {
    // After a restart, reuse the share: a new one would not match the public share already sent.
    secret = new Uint8Array(await readFile(file));
  } catch {
    secret = generateSecretShare(context);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' });
  }
  const share = createPublicKeyShare(context, secret, Buffer.from(task.crpSeed, 'hex'));
  ctx.logger.info({ studyId: task.studyId, bytes: share.byteLength }, 'publishing public-key share');
  await ctx.upload('keyshare', task.studyId, null, [share]);
}
