import { createHash, randomBytes } from 'node:crypto';

/** A new random secret for people to copy (enrolment tokens, admin tokens): 32 bytes, base64url. */
export function newSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Only hashes of tokens are stored: a database leak does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
