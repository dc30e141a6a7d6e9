import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';

/** Shorter passwords are refused; longer ones are what people should use (passphrases). */
export const PASSWORD_MIN_LENGTH = 12;
/** Bounds the work an attacker can make scrypt do per request. */
export const PASSWORD_MAX_LENGTH = 1024;

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s): OWASP's minimum for scrypt, with margin. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Node's default memory cap (32 MiB) is exactly 128·N·r at N = 2^15: leave room above it.
    const maxmem = 256 * params.N * params.r;
    // The async form runs on the libuv pool: hashing never blocks the event loop.
    scrypt(normalize(password), salt, keyBytes, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** One spelling per password: "é" typed composed or decomposed must be the same password. */
function normalize(password: string): string {
  return password.normalize('NFKC');
}

/** Refuses passwords that are too short or absurdly long, saying what is required. */
export function checkPasswordPolicy(password: string): void {
  const length = [...normalize(password)].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new AppError(ErrorCode.INVALID_INPUT, `A password needs at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}); a few unrelated words make a good one`, {
      details: { field: 'password', minLength: PASSWORD_MIN_LENGTH },
    });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new AppError(ErrorCode.INVALID_INPUT, `A password may have at most ${PASSWORD_MAX_LENGTH} characters`, { details: { field: 'password', maxLength: PASSWORD_MAX_LENGTH } });
  }
}

/**
 * Hashes a password with scrypt and a fresh random 16-byte salt, as `scrypt$N$r$p$salt$hash`
 * (base64 salt and hash): the parameters travel with the hash, so they can be raised later and old
 * hashes still verify.
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** Parses a stored hash; null when malformed or when its cost is outside what the hub will compute. */
function parseHash(encoded: string): ParsedHash | null {
  const [scheme, n, r, p, salt, key, ...rest] = encoded.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const isPowerOfTwo = Number.isInteger(params.N) && params.N >= 2 ** 10 && params.N <= 2 ** 20 && (params.N & (params.N - 1)) === 0;
  const bounded = (v: number, max: number) => Number.isInteger(v) && v >= 1 && v <= max;
  if (!isPowerOfTwo || !bounded(params.r, 32) || !bounded(params.p, 16)) return null;
  const parsed = { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  if (parsed.salt.length < SALT_BYTES || parsed.key.length < 16 || parsed.key.length > 64) return null;
  return parsed;
}

/** Checks a password against a stored hash in constant time (timingSafeEqual). A malformed hash matches nothing. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed || password.length > PASSWORD_MAX_LENGTH * 4) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password with the default cost, verified against when the e-mail is unknown so
 * that a failed sign-in takes as long whether or not the account exists.
 */
export function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  return dummyHash;
}

/** Crockford's base32 (no i, l, o, u: nothing to misread); 32 symbols, so every byte maps evenly. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A one-time password to hand to a new account's owner (shown once, changed at first sign-in):
 * 20 characters from 32 (100 bits), in groups of five.
 */
export function generateOneTimePassword(): string {
  const chars = [...randomBytes(20)].map((byte) => ALPHABET[byte & 31]!);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
