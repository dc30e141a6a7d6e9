import { AppError, ErrorCode } from '@consilium/errors';
import type { CeremonyIdentity } from '@consilium/protocol';
import type { KeygenTask, RosterEntry } from '@consilium/schemas';

/**
 * Identity keys are pinned at the first ceremony stage a member sees: the hub cannot later swap a
 * site's key for one it holds (which would let it read shares sealed to that site or sign submissions
 * in its name). A roster that changes within an epoch is refused.
 */
export function checkPinnedRoster(pinned: readonly RosterEntry[], offered: readonly RosterEntry[]): void {
  for (const entry of offered) {
    const known = pinned.find((p) => p.siteId === entry.siteId);
    if (known && known.publicKey !== entry.publicKey) {
      throw new AppError(ErrorCode.DECRYPTION_REFUSED, `The hub now presents another identity key for site "${entry.name}" than the one pinned at the key ceremony; refusing`, {
        details: { siteId: entry.siteId },
      });
    }
  }
}

/** siteId → base64 Ed25519 public key. */
export function rosterKeys(roster: readonly RosterEntry[]): Map<string, string> {
  return new Map(roster.map((r) => [r.siteId, r.publicKey]));
}

/** The ceremony as both sides name it (see @consilium/protocol's ceremony-binding). */
export function ceremonyOf(task: KeygenTask): CeremonyIdentity {
  return { studyId: task.studyId, epoch: task.epoch, crpSeedHex: task.crpSeed, committee: task.committee.map((m) => m.siteId), threshold: task.threshold };
}

/** This member's Shamir point; refuses a task that does not list it. */
export function ownPoint(task: { committee: ReadonlyArray<{ siteId: string; point: number }> }, siteId: string): number {
  const me = task.committee.find((m) => m.siteId === siteId);
  if (!me) throw new AppError(ErrorCode.FORBIDDEN, 'This site is not on the decryption committee the task names');
  return me.point;
}
