import { generateBoxKeyPair } from '@consilium/protocol';
import { createPublicKeyShare, generateSecretShare, type CkksContext } from '@consilium/secagg';

/** What a member keeps after stage `share` (secret: never sent) and what it uploads. */
export interface ShareStage {
  secretShare: Uint8Array;
  boxPrivateKey: Uint8Array;
  /** Upload parts: the public-key share p0_i, then the 32-byte box public key. */
  parts: [Uint8Array, Uint8Array];
}

/**
 * Stage `share`: a fresh secret share s_i, its public-key share for the epoch's seed, and a fresh
 * X25519 box key the other members seal their Shamir shares of s_j to. Pass the secret share and box
 * key kept from an earlier attempt to rebuild the same upload after a restart.
 */
export function runShareStage(ctx: CkksContext, crpSeedHex: string, kept?: { secretShare: Uint8Array; boxPrivateKey: Uint8Array; boxPublicKey: Uint8Array }): ShareStage {
  const secretShare = kept?.secretShare ?? generateSecretShare(ctx);
  const box = kept ? { privateKey: kept.boxPrivateKey, publicKey: kept.boxPublicKey } : generateBoxKeyPair();
  const publicKeyShare = createPublicKeyShare(ctx, secretShare, Buffer.from(crpSeedHex, 'hex'));
  return { secretShare, boxPrivateKey: box.privateKey, parts: [publicKeyShare, box.publicKey] };
}
