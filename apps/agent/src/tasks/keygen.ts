import { readCeremonyKeyShares, runCombineStage, runDealStage, runShareStage } from '@consilium/keyholder';
import type { KeygenTask } from '@consilium/schemas';
import { epochSlot } from '../study-state.ts';
import type { TaskContext } from './task-context.ts';

/**
 * The dealer-free threshold key ceremony, one stage per task (see KeygenTask). Every stage can be
 * interrupted and re-run: whatever already left the site is re-sent byte for byte, and secrets are
 * written to disk before anything that depends on them is uploaded.
 */
export async function runKeygen(ctx: TaskContext, task: KeygenTask): Promise<void> {
  switch (task.stage) {
    case 'share':
      return shareStage(ctx, task);
    case 'deal':
      return dealStage(ctx, task);
    case 'combine':
      return combineStage(ctx, task);
  }
}

/** Publish p0_i = −a·s_i + e_i and a fresh box key; keep s_i and the box private key (0600). */
async function shareStage(ctx: TaskContext, task: KeygenTask): Promise<void> {
  const keys = ctx.keys(task.studyId);
  // The roster and minimum are pinned before anything is uploaded: later stages and decryptions trust only this pin.
  const pinned = await keys.pin(task, ctx.siteId);
  // One public share per secret: a second p0_i with fresh noise would be a second RLWE sample of s_i.
  const stored = await ctx.storedUpload('keyshare', task.studyId, null, epochSlot(task.epoch));
  if (stored) return ctx.send(task.studyId, stored);
  const kept = await keys.shareMaterial(task.epoch);
  const stage = runShareStage(await ctx.ckks(pinned.ckks), pinned.crpSeed, kept ?? undefined);
  // s_i must be on disk before its public share can leave: the share is useless without it. When s_i
  // was kept but no upload was stored, the crash came before the outbox write, so no p0_i ever left
  // the site and this one is the only sample the hub will see.
  if (!kept) await keys.keepShareMaterial(task.epoch, { secretShare: stage.secretShare, boxPrivateKey: stage.boxPrivateKey, boxPublicKey: stage.parts[1] });
  ctx.logger.info({ studyId: task.studyId, epoch: task.epoch, point: pinned.point, threshold: pinned.threshold, committee: pinned.committee.length }, 'publishing public-key share');
  await ctx.upload('keyshare', task.studyId, null, stage.parts, epochSlot(task.epoch));
}

/** Shamir-share s_i among the committee, each share sealed to its recipient's signed box key. */
async function dealStage(ctx: TaskContext, task: KeygenTask): Promise<void> {
  const keys = ctx.keys(task.studyId);
  const pinned = await keys.requirePinned(task);
  // A second dealing would be other shares of the same s_i: re-send the first.
  const stored = await ctx.storedUpload('dealing', task.studyId, null, epochSlot(task.epoch));
  if (stored) return ctx.send(task.studyId, stored);
  const { secretShare } = await keys.requireShareMaterial(task.epoch);
  const { bytes } = await ctx.hub.download(`/v1/studies/${task.studyId}/key-shares`);
  const keyShares = readCeremonyKeyShares(task, pinned.roster, bytes);
  const parts = runDealStage(await ctx.ckks(pinned.ckks), task, ctx.siteId, secretShare, keyShares);
  ctx.logger.info({ studyId: task.studyId, epoch: task.epoch, recipients: parts.length, threshold: pinned.threshold }, 'dealing sealed Shamir shares to the committee');
  await ctx.upload('dealing', task.studyId, null, parts, epochSlot(task.epoch));
}

/**
 * Open the shares dealt to this member, keep their sum (the threshold key share), forget s_i, and
 * confirm the collective key recomputed from the signed public-key shares.
 */
async function combineStage(ctx: TaskContext, task: KeygenTask): Promise<void> {
  const keys = ctx.keys(task.studyId);
  const pinned = await keys.requirePinned(task);
  let publicKeyHash = (await keys.thresholdShare(task.epoch)) ? await keys.collectiveKeyHash(task.epoch) : null;
  if (!publicKeyHash) {
    const { boxPrivateKey } = await keys.requireShareMaterial(task.epoch);
    const { bytes: keySharesBytes } = await ctx.hub.download(`/v1/studies/${task.studyId}/key-shares`);
    const { bytes: dealtBytes } = await ctx.hub.download(`/v1/studies/${task.studyId}/dealt-shares`);
    const keyShares = readCeremonyKeyShares(task, pinned.roster, keySharesBytes);
    const combined = runCombineStage(await ctx.ckks(pinned.ckks), task, ctx.siteId, boxPrivateKey, keyShares, dealtBytes);
    // Threshold share first, then s_i is deleted (see StudyKeys.forgetCeremonySecrets): from here on
    // no party holds s_i, and decrypting takes t committee members.
    await keys.keepThresholdShare(task.epoch, combined.keyShare, combined.publicKeyHash);
    combined.keyShare.fill(0);
    publicKeyHash = combined.publicKeyHash;
  } else {
    // A restart between keeping the threshold share and deleting s_i: finish the deletion.
    await keys.forgetCeremonySecrets(task.epoch);
  }
  const input = { studyId: task.studyId, epoch: task.epoch, publicKeyHash };
  const answer = await ctx.hub.client.agent.confirmKey.mutate(input);
  // The hash is what the hub's audit log records for this confirmation (site.key_confirmed).
  await ctx.transfers.append({
    kind: 'key-confirmation',
    studyId: task.studyId,
    roundId: null,
    bytes: JSON.stringify(input).length,
    sha256: publicKeyHash,
    accepted: answer.accepted,
    ...(answer.problem ? { error: answer.problem } : {}),
  });
  if (!answer.accepted) {
    ctx.logger.error({ studyId: task.studyId, epoch: task.epoch, publicKeyHash, problem: answer.problem }, 'the hub published another collective key than this site computed; the study has failed');
    return;
  }
  ctx.logger.info({ studyId: task.studyId, epoch: task.epoch, publicKeyHash, ceremonyComplete: answer.ceremonyComplete }, 'collective key confirmed');
}
