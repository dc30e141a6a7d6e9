import { createHash } from 'node:crypto';

/**
 * Labels both sides of the key ceremony compute identically. The dealing binding goes into every
 * Shamir share's header, so a share dealt for one study, epoch or committee is refused in another;
 * the box AAD ties each sealed share to its dealer and recipient, so the hub cannot redirect one.
 */

export interface CeremonyIdentity {
  studyId: string;
  epoch: number;
  /** Hex of the epoch's public seed. */
  crpSeedHex: string;
  /** Committee site ids in order. */
  committee: readonly string[];
  threshold: number;
}

/** 32 bytes naming one ceremony (study, epoch, seed, committee, threshold). */
export function dealingBinding(ceremony: CeremonyIdentity): Uint8Array {
  const text = ['consilium/dealing/v1', ceremony.studyId, String(ceremony.epoch), ceremony.crpSeedHex, String(ceremony.threshold), ...ceremony.committee].join('\n');
  return new Uint8Array(createHash('sha256').update(text).digest());
}

/** Additional authenticated data of the box sealing the share `dealer` deals to `recipient`. */
export function dealtShareAad(ceremony: CeremonyIdentity, dealer: string, recipient: string): Uint8Array {
  const binding = Buffer.from(dealingBinding(ceremony)).toString('hex');
  return new TextEncoder().encode(['consilium/dealt-share/v1', binding, dealer, recipient].join('\n'));
}
