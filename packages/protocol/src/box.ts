import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Sealed boxes: public-key encryption of a message to one recipient, for passing secrets (Shamir
 * shares of key ceremonies) through the hub, which relays them but must not read them.
 *
 * The sender makes a fresh X25519 key pair per box; the shared secret with the recipient's key goes
 * through HKDF-SHA256 (salt: both public keys, so the key is bound to this exchange) into an
 * AES-256-GCM key. Layout:
 *
 *   u8 version (1) | ephemeral X25519 public key (32 B) | nonce (12 B) | ciphertext | GCM tag (16 B)
 *
 * The version, ephemeral key and nonce are authenticated with the caller's `aad`, which should name
 * what the box is for (ceremony, dealer, recipient): a box replayed into another context fails to
 * open. The sender is anonymous: anyone holding the recipient's public key can make a box, so the
 * recipient must learn who sent it from elsewhere (e.g. a payload signature over the sealed bytes).
 */

/** The format version this module writes and reads. */
export const BOX_VERSION = 1;
/** Bytes of a raw X25519 key, public or private. */
export const BOX_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + BOX_KEY_BYTES + NONCE_BYTES;
/** Bytes a sealed box adds to its plaintext. */
export const BOX_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
const KDF_INFO = 'consilium/box/v1 x25519-hkdf-sha256-aes-256-gcm';

/** A recipient's box keys, raw: the public key is published, the private key stays with the recipient. */
export interface BoxKeyPair {
  /** Raw 32-byte X25519 public key. */
  publicKey: Uint8Array;
  /** Raw 32-byte X25519 private key. */
  privateKey: Uint8Array;
}

/** A fresh X25519 key pair for receiving sealed boxes. */
export function generateBoxKeyPair(): BoxKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublic(publicKey), privateKey: new Uint8Array(privateKey.export({ format: 'raw-private' })) };
}

/**
 * Encrypts `plaintext` to the holder of `recipientPublicKey`, authenticating `aad` (not stored in
 * the box: the recipient supplies the same bytes to open it). Throws INVALID_INPUT for a public key
 * that is not 32 bytes or is a weak (small-order) point.
 */
export function sealBox(recipientPublicKey: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkBytes(plaintext, 'plaintext');
  checkBytes(aad, 'aad');
  const recipient = importPublicKey(recipientPublicKey);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = rawPublic(ephemeral.publicKey);
  const key = deriveKey(ephemeral.privateKey, recipient, ephemeralPublic, recipientPublicKey, ErrorCode.INVALID_INPUT);
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = BOX_VERSION;
  header.set(ephemeralPublic, 1);
  header.set(randomBytes(NONCE_BYTES), 1 + BOX_KEY_BYTES);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, header.subarray(1 + BOX_KEY_BYTES), { authTagLength: TAG_BYTES });
    cipher.setAAD(concat(header, aad));
    const body = concat(cipher.update(plaintext), cipher.final());
    return concat(header, body, cipher.getAuthTag());
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypts a box sealed to the key pair of `privateKey` with the same `aad`. Throws
 * INVALID_CIPHERTEXT when the box is truncated, of another version, tampered with, sealed to
 * another key or with another aad (which of these is not said: GCM cannot tell them apart), and
 * INVALID_INPUT for a private key that is not 32 bytes.
 */
export function openBox(privateKey: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkBytes(sealed, 'sealed box');
  checkBytes(aad, 'aad');
  const own = importPrivateKey(privateKey);
  if (sealed.length < BOX_OVERHEAD_BYTES) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `sealed box is truncated: ${sealed.length} bytes, at least ${BOX_OVERHEAD_BYTES} expected`, {
      details: { actual: sealed.length, minimum: BOX_OVERHEAD_BYTES },
    });
  }
  if (sealed[0] !== BOX_VERSION) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `sealed box version is ${sealed[0]}, expected ${BOX_VERSION}`, { details: { actual: sealed[0] } });
  }
  const ephemeralPublic = sealed.subarray(1, 1 + BOX_KEY_BYTES);
  const header = sealed.subarray(0, HEADER_BYTES);
  let ephemeral: KeyObject;
  try {
    ephemeral = importPublicKey(ephemeralPublic);
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'sealed box could not be opened (tampered with, or sealed to another key)', { cause });
  }
  const key = deriveKey(own, ephemeral, ephemeralPublic, rawPublic(createPublicKey(own)), ErrorCode.INVALID_CIPHERTEXT);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(1 + BOX_KEY_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(concat(header, aad));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return concat(decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final());
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'sealed box could not be opened (tampered with, sealed to another key, or for another purpose)', {
      cause,
    });
  } finally {
    key.fill(0);
  }
}

/** HKDF-SHA256 of the X25519 shared secret, salted with both public keys. */
function deriveKey(privateKey: KeyObject, publicKey: KeyObject, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, code: ErrorCode): Buffer {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch (cause) {
    // OpenSSL refuses an all-zero shared secret, i.e. a small-order public key.
    throw new AppError(code, 'X25519 key agreement failed: the public key is a weak (small-order) point', { cause });
  }
  try {
    return Buffer.from(hkdfSync('sha256', shared, concat(ephemeralPublic, recipientPublic), KDF_INFO, 32));
  } finally {
    shared.fill(0);
  }
}

function importPublicKey(raw: Uint8Array): KeyObject {
  checkKeyBytes(raw, 'X25519 public key');
  return createPublicKey({ key: Buffer.from(raw), format: 'raw-public', asymmetricKeyType: 'x25519' });
}

function importPrivateKey(raw: Uint8Array): KeyObject {
  checkKeyBytes(raw, 'X25519 private key');
  return createPrivateKey({ key: Buffer.from(raw), format: 'raw-private', asymmetricKeyType: 'x25519' });
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'raw-public' }));
}

function checkKeyBytes(raw: Uint8Array, what: string): void {
  if (!(raw instanceof Uint8Array) || raw.length !== BOX_KEY_BYTES) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be ${BOX_KEY_BYTES} raw bytes`, {
      details: { actual: raw instanceof Uint8Array ? raw.length : typeof raw },
    });
  }
}

function checkBytes(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be a Uint8Array, got ${typeof bytes}`);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
