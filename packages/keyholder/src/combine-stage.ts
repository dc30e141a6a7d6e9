import { AppError, ErrorCode } from '@consilium/errors';
import { dealingBinding, dealtShareAad, decodeEnvelope, openBox, sha256Hex } from '@consilium/protocol';
import { DealtSharesHeader, parseOrThrow, type KeygenTask } from '@consilium/schemas';
import { combineDealtShares, combinePublicKeyShares, type CkksContext } from '@consilium/secagg';
import type { CeremonyKeyShares } from './deal-stage.ts';
import { ceremonyOf, ownPoint } from './roster.ts';

/** What stage `combine` leaves: the member's threshold key share (kept, 0600) and the key hash it confirms. */
export interface CombineStage {
  keyShare: Uint8Array;
  publicKeyHash: string;
}

/**
 * Stage `combine`: opens the shares every member dealt to this one (each sealed to its box key and
 * bound to dealer and recipient), sums them into its Shamir share of the collective secret, and
 * recomputes the collective public key from the signed public-key shares — the hash it confirms, so a
 * hub that published another key is caught before anyone encrypts under it.
 */
export function runCombineStage(ctx: CkksContext, task: KeygenTask, selfSiteId: string, boxPrivateKey: Uint8Array, keyShares: CeremonyKeyShares, download: Uint8Array): CombineStage {
  const ceremony = ceremonyOf(task);
  const envelope = decodeEnvelope(download, { maxHeaderBytes: 256 * 1024, maxParts: task.committee.length, maxPartBytes: 1024 * 1024, maxTotalBytes: 2 ** 30 });
  const header = parseOrThrow(DealtSharesHeader, envelope.header, 'dealt-shares header');
  if (header.studyId !== task.studyId || header.epoch !== task.epoch || envelope.parts.length !== task.committee.length || header.dealers.some((d, i) => d.siteId !== task.committee[i]?.siteId)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `The dealt shares served do not come from the ${task.committee.length} committee members of key epoch ${task.epoch}, in order`);
  }
  const opened = task.committee.map((dealer, i) => openBox(boxPrivateKey, envelope.parts[i]!, dealtShareAad(ceremony, dealer.siteId, selfSiteId)));
  const keyShare = combineDealtShares(ctx, opened, { binding: dealingBinding(ceremony), point: ownPoint(task, selfSiteId) });
  for (const share of opened) share.fill(0);
  const publicKey = combinePublicKeyShares(ctx, Buffer.from(task.crpSeed, 'hex'), keyShares.publicKeyShares);
  return { keyShare, publicKeyHash: sha256Hex(publicKey) };
}
