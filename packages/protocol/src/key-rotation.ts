import { sign, verify } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { decodeBase64Strict } from './base64.ts';
import { parsePrivateKey, parsePublicKey, publicKeyFromPrivate } from './identity.ts';

/**
 * Rotating a site's identity key: the request carrying the new key is signed with the old key (an
 * ordinary signed agent request), and the new key signs this statement — so the hub only ever
 * registers a key whose holder also holds the old one. Signed string:
 *
 *     CONSILIUM-KEY-ROTATION-V1\n{siteId}\n{oldPublicKey}\n{newPublicKey}
 *
 * Naming the site and the old key means a proof cannot be replayed for another site or after a
 * later rotation.
 */
const ROTATION_DOMAIN = 'CONSILIUM-KEY-ROTATION-V1';

export interface KeyRotationStatement {
  siteId: string;
  /** Base64 raw Ed25519 keys. */
  oldPublicKey: string;
  newPublicKey: string;
}

function rotationBytes(statement: KeyRotationStatement): Buffer {
  return Buffer.from([ROTATION_DOMAIN, statement.siteId, statement.oldPublicKey, statement.newPublicKey].join('\n'), 'utf8');
}

/** The new key's proof of possession (base64 Ed25519 signature over the rotation statement). */
export function signKeyRotation(input: { siteId: string; oldPublicKey: string; newPrivateKeyPem: string }): { newPublicKey: string; proof: string } {
  const newPublicKey = publicKeyFromPrivate(input.newPrivateKeyPem);
  const proof = sign(null, rotationBytes({ siteId: input.siteId, oldPublicKey: input.oldPublicKey, newPublicKey }), parsePrivateKey(input.newPrivateKeyPem));
  return { newPublicKey, proof: proof.toString('base64') };
}

/** Throws INVALID_INPUT for a malformed new key, INVALID_SIGNATURE unless `proof` is the new key's signature of the statement. */
export function verifyKeyRotation(input: KeyRotationStatement & { proof: string }): void {
  const key = parsePublicKey(input.newPublicKey);
  const signature = decodeBase64Strict(input.proof);
  if (signature?.length !== 64 || !verify(null, rotationBytes(input), key, signature)) {
    throw new AppError(ErrorCode.INVALID_SIGNATURE, 'The new identity key did not sign the key rotation statement for this site and its current key: proof of possession failed');
  }
}
