import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { decodeBase64Strict } from './base64.ts';
import { PROTOCOL_ID_FORMAT, isProtocolId, isSha256Hex } from './fields.ts';
import { parsePrivateKey } from './identity.ts';
import { verificationKey } from './verification-key.ts';

/**
 * Payload signatures: a site signs the SHA-256 of each payload it uploads (key share, encrypted
 * submission, decryption share, evaluation), independently of the request that carries it. The
 * hub stores payload, hash and signature, and can later prove to anyone holding the site's public
 * key what that site contributed — a request signature cannot, since it also covers a nonce, a
 * timestamp and a URL nobody keeps. Signed string:
 *
 *     CONSILIUM-PAYLOAD-V1\n{purpose}\n{studyId}\n{roundId or -}\n{siteId}\n{payloadSha256}
 *
 * The purpose, study and round are signed so a signature cannot be moved to another context (a
 * submission's signature never verifies as a key share, or for another round).
 */

/** Every purpose a payload signature can state; the purpose is signed, so they never stand in for each other. */
export const PAYLOAD_PURPOSES = ['keyshare', 'dealing', 'submission', 'decryption-share', 'evaluation', 'claim'] as const;

/** What a signed payload is for. */
export type PayloadPurpose = (typeof PAYLOAD_PURPOSES)[number];

const PAYLOAD_DOMAIN = 'CONSILIUM-PAYLOAD-V1';

/** The statement a payload signature makes. */
export interface PayloadStatement {
  purpose: PayloadPurpose;
  studyId: string;
  /** The round, or null for payloads that belong to the study (key shares, final evaluation). */
  roundId: string | null;
  siteId: string;
  /** sha256Hex of the payload bytes. */
  payloadSha256: string;
}

/**
 * The bytes to sign, after checking each field. Ids cannot be "-" (they start with a letter or
 * digit), so the null round's "-" cannot collide with a real round id.
 */
function statementBytes(statement: PayloadStatement): Buffer {
  const { purpose, studyId, roundId, siteId, payloadSha256 } = statement;
  if (!(PAYLOAD_PURPOSES as readonly string[]).includes(purpose)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Unknown payload purpose "${purpose}"; expected one of ${PAYLOAD_PURPOSES.join(', ')}.`);
  }
  const ids = { studyId, roundId, siteId };
  for (const [field, value] of Object.entries(ids)) {
    if (value !== null && !isProtocolId(value)) {
      throw new AppError(ErrorCode.INVALID_INPUT, `Payload ${field} "${value}" cannot be signed: an id is ${PROTOCOL_ID_FORMAT}.`, {
        details: { field },
      });
    }
  }
  if (!isSha256Hex(payloadSha256)) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'payloadSha256 must be the lowercase hex SHA-256 of the payload (use sha256Hex).');
  }
  const lines = [PAYLOAD_DOMAIN, purpose, studyId, roundId ?? '-', siteId, payloadSha256];
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Options of `signPayload`. */
export interface SignPayloadOptions extends PayloadStatement {
  /** The site's PKCS#8 PEM private key. */
  privateKeyPem: string;
}

/** Signs a payload statement and returns the base64 Ed25519 signature. Throws INVALID_INPUT on a malformed field. */
export function signPayload(options: SignPayloadOptions): string {
  const data = statementBytes(options);
  return sign(null, data, parsePrivateKey(options.privateKeyPem)).toString('base64');
}

/** Options of `verifyPayloadSignature`. */
export interface VerifyPayloadOptions extends PayloadStatement {
  /** The site's registered public key: base64 raw key, or a key object from parsePublicKey. */
  publicKey: string | KeyObject;
  /** The base64 signature the site sent with the payload. */
  signature: string;
}

/**
 * Verifies that the site signed this statement. Throws INVALID_SIGNATURE when the signature is
 * malformed or does not match, and INVALID_INPUT when a statement field is malformed.
 */
export function verifyPayloadSignature(options: VerifyPayloadOptions): void {
  const { purpose, studyId, roundId, siteId } = options;
  const data = statementBytes(options);
  const context = `${purpose} payload of site ${siteId} (study ${studyId}, round ${roundId ?? 'none'})`;
  const signature = decodeBase64Strict(options.signature);
  if (signature?.length !== 64) {
    throw new AppError(ErrorCode.INVALID_SIGNATURE, `The signature of the ${context} is not canonical base64 of 64 bytes.`, {
      details: { purpose, studyId, roundId, siteId },
    });
  }
  if (!verify(null, data, verificationKey(options.publicKey), signature)) {
    throw new AppError(
      ErrorCode.INVALID_SIGNATURE,
      `The signature of the ${context} does not verify: the payload, its purpose, study or round differ from what the site signed, or it was signed with another key.`,
      { details: { purpose, studyId, roundId, siteId, payloadSha256: options.payloadSha256 } },
    );
  }
}
