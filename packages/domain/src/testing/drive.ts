import { ErrorCode, isAppError } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import type { StudySpec, Task } from '@consilium/schemas';
import type { Contribution, SimulatedSite } from './simulated-site.ts';
import type { HubTransport } from './transport.ts';

/** The study a driver works on; tasks of other studies are left alone. */
export interface StudyUnderTest {
  id: string;
  spec: StudySpec;
}

/**
 * Polls once as `site` and performs its tasks for `study` the way the agent does (apps/agent's
 * task handlers). `kinds` limits which tasks are performed, to hold a site back. Returns how many
 * tasks were performed.
 */
export async function runPendingTasks(
  site: SimulatedSite,
  transport: HubTransport,
  study: StudyUnderTest,
  options: { kinds?: ReadonlyArray<Task['kind']> } = {},
): Promise<number> {
  const { tasks } = await transport.poll(site);
  let performed = 0;
  for (const task of tasks) {
    if (task.studyId !== study.id || task.kind === 'evaluate') continue;
    if (options.kinds && !options.kinds.includes(task.kind)) continue;
    await performTask(site, transport, study, task);
    performed += 1;
  }
  return performed;
}

/** Performs one task; an accepted submission is remembered in `site.accepted`. */
export async function performTask(site: SimulatedSite, transport: HubTransport, study: StudyUnderTest, task: Task): Promise<void> {
  switch (task.kind) {
    case 'keygen': {
      if (task.stage === 'share') {
        const parts = await site.keyShare(task);
        await transport.submitKeyShare(site, site.envelope('keyshare', task.studyId, null, parts));
      } else if (task.stage === 'deal') {
        const parts = await site.deal(task, await transport.keyShares(site, task.studyId));
        await transport.submitDealing(site, site.envelope('dealing', task.studyId, null, parts));
      } else {
        const publicKeyHash = await site.combine(task, await transport.keyShares(site, task.studyId), await transport.dealtShares(site, task.studyId));
        await transport.confirmKey(site, { studyId: task.studyId, epoch: task.epoch, publicKeyHash });
      }
      return;
    }
    case 'stats':
    case 'train': {
      const contribution: Contribution =
        task.kind === 'stats'
          ? { vector: site.statsVector(study.spec), parameters: null, numExamples: site.profile.samples }
          : site.trainUpdate(study.spec, task);
      const publicKey = task.encoding.scheme === 'ckks-multiparty' ? await transport.publicKey(site, task.studyId) : null;
      // The agent refuses to encrypt under a key other than the one the study agreed on.
      if (publicKey && sha256Hex(publicKey) !== task.publicKeyHash) throw new Error(`the hub served another collective key for study ${task.studyId}`);
      const parts = await site.encode(task.encoding, publicKey, contribution.vector);
      const receipt = await transport.submitUpdate(site, site.envelope('submission', task.studyId, task.roundId, parts));
      if (!receipt.duplicate) site.accepted.set(task.roundId, contribution);
      return;
    }
    case 'decrypt': {
      // The same checks as the agent: the sealed aggregate the task names, provably a sum of enough signed submissions.
      let shares: Uint8Array[];
      try {
        shares = await site.partialDecrypt(task, study.spec.privacy.ckks, await transport.aggregate(site, task.roundId), await transport.submissions(site, task.roundId));
      } catch (error) {
        if (isAppError(error) && error.code === ErrorCode.DECRYPTION_REFUSED) {
          site.refusals.push({ roundId: task.roundId, reason: error.message });
          await transport.reportRefusal(site, { roundId: task.roundId, reason: error.message });
          return;
        }
        throw error;
      }
      await transport.submitDecryptionShare(site, site.envelope('decryption-share', task.studyId, task.roundId, shares));
      return;
    }
    case 'evaluate':
      return;
  }
}

/** Runs every site's tasks, pass after pass, until a pass finds nothing to do. */
export async function driveStudy(sites: readonly SimulatedSite[], transport: HubTransport, study: StudyUnderTest, options: { maxPasses?: number } = {}): Promise<void> {
  const maxPasses = options.maxPasses ?? 50;
  for (let pass = 0; pass < maxPasses; pass++) {
    let performed = 0;
    for (const site of sites) performed += await runPendingTasks(site, transport, study);
    if (performed === 0) return;
  }
  throw new Error(`study ${study.id} still had work after ${maxPasses} passes`);
}
