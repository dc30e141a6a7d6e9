import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { parsePublicKey } from './identity.ts';

/**
 * A verification key from a base64 key or a key object. A non-Ed25519 key object is refused: with
 * `verify(null, …)` an RSA key would silently pick its own digest and signature scheme.
 */
export function verificationKey(publicKey: string | KeyObject): KeyObject {
  if (typeof publicKey === 'string') return parsePublicKey(publicKey);
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new AppError(ErrorCode.INTERNAL, `Expected an Ed25519 public key object, got ${publicKey.asymmetricKeyType ?? publicKey.type}.`);
  }
  return publicKey;
}
