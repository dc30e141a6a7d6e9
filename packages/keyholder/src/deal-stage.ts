import { AppError, ErrorCode } from '@consilium/errors';
import { dealingBinding, dealtShareAad, decodeEnvelope, sealBox, sha256Hex, verifyPayloadSignature } from '@consilium/protocol';
import { KeySharesHeader, parseOrThrow, type KeygenTask, type RosterEntry } from '@consilium/schemas';
import { dealShamirShares, type CkksContext } from '@consilium/secagg';
import { ceremonyOf, rosterKeys } from './roster.ts';

/** Every committee member's public-key share and box key, each checked against its pinned identity key. */
export interface CeremonyKeyShares {
  publicKeyShares: Uint8Array[];
  boxPublicKeys: Uint8Array[];
}

/**
 * Reads the hub's key-shares download and checks that member i's upload is signed by the identity key
 * pinned for the i-th committee member: a hub that substituted a box key of its own (to read the
 * shares sealed to it) or a public-key share is caught here.
 */
export function readCeremonyKeyShares(task: KeygenTask, pinnedRoster: readonly RosterEntry[], download: Uint8Array): CeremonyKeyShares {
  const envelope = decodeEnvelope(download, { maxHeaderBytes: 256 * 1024, maxParts: 2 * task.committee.length, maxPartBytes: 8 * 1024 * 1024, maxTotalBytes: 2 ** 30 });
  const header = parseOrThrow(KeySharesHeader, envelope.header, 'key-shares header');
  const keys = rosterKeys(pinnedRoster);
  if (header.studyId !== task.studyId || header.epoch !== task.epoch || header.members.length !== task.committee.length || envelope.parts.length !== 2 * task.committee.length) {
    throw new AppError(ErrorCode.INVALID_INPUT, `The key-shares download does not match key epoch ${task.epoch} of this study and its ${task.committee.length}-member committee`);
  }
  task.committee.forEach((member, i) => {
    const entry = header.members[i]!;
    const parts = envelope.parts.slice(2 * i, 2 * i + 2);
    const publicKey = keys.get(member.siteId);
    if (entry.siteId !== member.siteId || !publicKey) throw new AppError(ErrorCode.INVALID_INPUT, `Key-shares entry ${i} is not committee member ${member.siteId}`);
    if (sha256Hex(parts) !== entry.payloadSha256) throw new AppError(ErrorCode.INVALID_SIGNATURE, `The key material served for committee member ${member.siteId} is not what it signed`);
    verifyPayloadSignature({ publicKey, purpose: 'keyshare', studyId: task.studyId, roundId: null, siteId: member.siteId, payloadSha256: entry.payloadSha256, signature: entry.signature });
  });
  return {
    publicKeyShares: task.committee.map((_, i) => envelope.parts[2 * i]!),
    boxPublicKeys: task.committee.map((_, i) => envelope.parts[2 * i + 1]!),
  };
}

/**
 * Stage `deal`: Shamir-shares s_i over every RNS prime among the committee (threshold t) and seals
 * share j to member j's box key, bound to this ceremony and to dealer and recipient. Returns the
 * upload parts, in committee order (the member's own share included, sealed to itself).
 */
export function runDealStage(ctx: CkksContext, task: KeygenTask, selfSiteId: string, secretShare: Uint8Array, keyShares: CeremonyKeyShares): Uint8Array[] {
  const ceremony = ceremonyOf(task);
  const shares = dealShamirShares(ctx, secretShare, { threshold: task.threshold, points: task.committee.map((m) => m.point), binding: dealingBinding(ceremony) });
  return task.committee.map((member, i) => sealBox(keyShares.boxPublicKeys[i]!, shares[i]!, dealtShareAad(ceremony, selfSiteId, member.siteId)));
}
