import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { decodeBase64Strict } from './base64.ts';
import { ed25519PointProblem } from './ed25519-point.ts';
import { sha256Hex } from './hashing.ts';

/**
 * A site's Ed25519 identity. The public key is what the hub registers at enrolment; the private
 * key stays on the hospital server and signs every request and payload.
 */
export interface Identity {
  /** Base64 of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  /** The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  privateKeyPem: string;
}

const POINT_PROBLEMS = {
  'non-canonical': 'is not a canonical Ed25519 point encoding',
  'not-on-curve': 'is not a point on the Ed25519 curve',
  'small-order': 'is a small-order (weak) Ed25519 point that no private key controls',
} as const;

/** Generates a fresh site identity. */
export function generateIdentity(): Identity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'raw-public' }).toString('base64'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Loads a site's PEM private key, checking that it is Ed25519. Throws INVALID_INPUT otherwise;
 * messages never include key material.
 */
export function parsePrivateKey(privateKeyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (cause) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      'The site private key is not a readable, unencrypted PEM private key; expected the PKCS#8 "BEGIN PRIVATE KEY" file written at enrolment.',
      { cause },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `The site private key is a ${key.asymmetricKeyType ?? 'unknown'} key; Consilium site identities are Ed25519.`,
      { details: { keyType: key.asymmetricKeyType } },
    );
  }
  return key;
}

/** The base64 raw public key belonging to a PEM private key (for an agent re-reading its identity). */
export function publicKeyFromPrivate(privateKeyPem: string): string {
  return createPublicKey(parsePrivateKey(privateKeyPem)).export({ format: 'raw-public' }).toString('base64');
}

/** Decodes and validates a base64 public key, returning its raw bytes. */
function publicKeyBytes(publicKey: string): Buffer {
  const bytes = decodeBase64Strict(publicKey);
  if (bytes === null) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The site public key is not canonical padded base64.');
  }
  if (bytes.length !== 32) {
    // 44 bytes is the usual mistake: an SPKI/DER export ("MCowBQYDK2VwAyEA…") instead of the raw key.
    const hint = bytes.length === 44 ? ' It looks like an SPKI/DER key; send only the raw 32-byte key.' : '';
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `The site public key must be the raw 32-byte Ed25519 key in base64, but it decodes to ${bytes.length} bytes.${hint}`,
      { details: { byteLength: bytes.length } },
    );
  }
  const problem = ed25519PointProblem(bytes);
  if (problem !== null) {
    throw new AppError(ErrorCode.INVALID_INPUT, `The site public key ${POINT_PROBLEMS[problem]}; generate a new identity.`, {
      details: { problem },
    });
  }
  return bytes;
}

/**
 * Parses a base64 raw Ed25519 public key into a key object for verification. Throws INVALID_INPUT
 * unless it is exactly 32 bytes encoding a valid, non-weak Ed25519 point — check keys with this at
 * enrolment so a bad key is refused with a reason instead of failing every later signature.
 */
export function parsePublicKey(publicKey: string): KeyObject {
  return createPublicKey({ key: publicKeyBytes(publicKey), format: 'raw-public', asymmetricKeyType: 'ed25519' });
}

/**
 * A short, human-comparable fingerprint of a public key — the first 64 bits of its SHA-256, as
 * four groups of four hex digits (`3f2a:9c1e:07bd:44e1`) — for operators to compare out of band
 * (portal vs. agent log). Too short for anything but display; validates the key like parsePublicKey.
 */
export function fingerprint(publicKey: string): string {
  const digest = sha256Hex(publicKeyBytes(publicKey));
  return [0, 4, 8, 12].map((at) => digest.slice(at, at + 4)).join(':');
}
