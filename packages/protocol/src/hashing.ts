import { createHash, timingSafeEqual } from 'node:crypto';

/** What can be hashed: bytes, a sequence of byte chunks (hashed as their concatenation), or text (UTF-8). */
export type HashInput = Uint8Array | readonly Uint8Array[] | string;

/**
 * Lowercase hex SHA-256 of `data`. A list of parts is fed to the hash one by one, so large payloads
 * (ciphertext chunks, envelope parts) are hashed without being concatenated first; the result is
 * the hash of the concatenation — part boundaries are not encoded.
 */
export function sha256Hex(data: HashInput): string {
  const hash = createHash('sha256');
  if (typeof data === 'string') hash.update(data, 'utf8');
  else if (data instanceof Uint8Array) hash.update(data);
  else for (const part of data) hash.update(part);
  return hash.digest('hex');
}

/** Even-length hex; case-insensitive so a digest compares equal however it was spelled. */
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Compares two hex digests in time independent of where they differ, so a caller checking a
 * client-supplied hash against a secret-derived one leaks nothing through timing. Returns false
 * (rather than throwing) when either side is not hex or the lengths differ: neither can be equal
 * to a real digest, and lengths are not secret.
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length || !HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
