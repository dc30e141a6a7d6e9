import { createHash } from 'node:crypto';
import { encodePointSet } from './committee-points.ts';

const LABEL = 'consilium/secagg/decryption-binding/v2';

/**
 * What a decryption share is bound to: SHA-256 over a label, the sorted decryptor set and the
 * aggregate's bytes. Each share is weighted by a Lagrange coefficient of its decryptor set, so
 * shares computed for different sets (or different aggregates) must never be added: they would
 * decode to garbage without any error.
 */
export function decryptionBinding(aggregate: Uint8Array, decryptors: readonly number[]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LABEL).update(encodePointSet(decryptors)).update(aggregate).digest());
}
