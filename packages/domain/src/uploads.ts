import { AppError, ErrorCode } from '@consilium/errors';
import { decodeEnvelope, sha256Hex, verifyPayloadSignature } from '@consilium/protocol';
import { parseOrThrow, UploadHeader } from '@consilium/schemas';
import type { AuthenticatedSite } from './agents/authenticate-site.ts';
import type { HubLimits } from './context.ts';

export interface VerifiedUpload {
  header: UploadHeader;
  parts: Uint8Array[];
  /** Total payload bytes (the parts). */
  bytes: number;
}

/**
 * Decodes an upload envelope and checks everything that does not need the database: the header's
 * shape, that it is the expected kind, that the parts hash to the declared payload hash, and that
 * the site's payload signature over that hash verifies. Nothing is stored before this passes.
 */
export function verifyUpload(
  site: AuthenticatedSite,
  envelope: Uint8Array,
  expected: { kind: UploadHeader['kind']; maxParts: number; maxPartBytes: number },
  limits: HubLimits,
): VerifiedUpload {
  const decoded = decodeEnvelope(envelope, {
    maxHeaderBytes: 16 * 1024,
    maxParts: expected.maxParts,
    maxPartBytes: expected.maxPartBytes,
    maxTotalBytes: limits.maxBodyBytes,
  });
  const header = parseOrThrow(UploadHeader, decoded.header, 'upload header');
  if (header.kind !== expected.kind) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Expected a ${expected.kind} upload, got a ${header.kind}`);
  }
  const actualHash = sha256Hex(decoded.parts);
  if (actualHash !== header.payloadSha256) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The payload does not match its declared SHA-256 (corrupted or altered in transit)', {
      details: { declared: header.payloadSha256, actual: actualHash },
    });
  }
  verifyPayloadSignature({
    publicKey: site.publicKey,
    purpose: header.kind,
    studyId: header.studyId,
    roundId: header.roundId,
    siteId: site.siteId,
    payloadSha256: header.payloadSha256,
    signature: header.signature,
  });
  return { header, parts: decoded.parts, bytes: decoded.parts.reduce((n, p) => n + p.byteLength, 0) };
}
