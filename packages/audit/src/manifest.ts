import { sign, verify } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { canonicalJson, fingerprint, parsePrivateKey, parsePublicKey, publicKeyFromPrivate } from '@consilium/protocol';
import { z } from 'zod';
import { AuditExportFilter } from './export-filter.ts';
import { AUDIT_EXPORT_FORMATS } from './export-format.ts';

/**
 * The manifest written next to an export (`<export>.manifest.json`) and signed with the hub's
 * Ed25519 key. It pins down the whole file (SHA-256 and size), so no line can be removed, added,
 * reordered or edited without detection, and it states what the export claims to be (format,
 * filter, count, first and last event, the chain head at export time), which the verifier checks
 * against the events themselves. Signed bytes:
 *
 *     CONSILIUM-AUDIT-EXPORT-V1\n{canonical JSON of every manifest field except `signature`}
 */
const SIGNING_DOMAIN = 'CONSILIUM-AUDIT-EXPORT-V1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const EventRef = z.strictObject({ seq, hash: hex64 });

const ManifestBody = z.strictObject({
  type: z.literal('consilium.audit-export'),
  version: z.literal(1),
  format: z.enum(AUDIT_EXPORT_FORMATS),
  exportedAt: z.iso.datetime(),
  /** The normalised filter; `{}` for a complete export. */
  filter: AuditExportFilter,
  /** The chain head when the export began: a complete export ends exactly there. */
  chainHead: EventRef,
  count: seq,
  first: EventRef.nullable(),
  last: EventRef.nullable(),
  file: z.strictObject({ name: z.string().min(1), bytes: seq, sha256: hex64 }),
  /** The signer's key (base64 raw Ed25519), for information: a verifier must pin the hub's key itself. */
  publicKey: z.string().min(1),
});
export type AuditExportManifestBody = z.output<typeof ManifestBody>;
export type AuditExportManifestInput = z.input<typeof ManifestBody>;

const Manifest = ManifestBody.extend({ signature: z.string().min(1) });
export type AuditExportManifest = z.output<typeof Manifest>;

/** Where the manifest of an export lives. */
export function manifestPathFor(exportPath: string): string {
  return `${exportPath}.manifest.json`;
}

const BODY_KEYS = Object.keys(ManifestBody.shape) as Array<keyof AuditExportManifestBody>;

function signingBytes(body: AuditExportManifestBody): Buffer {
  // The body's own fields only (a manifest also carries its signature).
  const fields = Object.fromEntries(BODY_KEYS.map((k) => [k, body[k]]));
  return Buffer.from(`${SIGNING_DOMAIN}\n${canonicalJson(fields)}`, 'utf8');
}

/**
 * Builds and signs a manifest with the hub's private key (PKCS#8 PEM, Ed25519). The public key
 * is derived from the private one, so the manifest cannot name a key other than the signer's.
 */
export function signAuditExportManifest(body: Omit<AuditExportManifestInput, 'publicKey'>, privateKeyPem: string): AuditExportManifest {
  const key = parsePrivateKey(privateKeyPem);
  const parsed = ManifestBody.safeParse({ ...body, publicKey: publicKeyFromPrivate(privateKeyPem) });
  if (!parsed.success) throw new AppError(ErrorCode.INTERNAL, `Cannot sign an invalid audit export manifest: ${parsed.error.message}`);
  const signature = sign(null, signingBytes(parsed.data), key).toString('base64');
  return { ...parsed.data, signature };
}

/** Parses a manifest file's text; throws INVALID_INPUT naming what is wrong. */
export function parseAuditExportManifest(text: string): AuditExportManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The audit export manifest is not valid JSON', { cause });
  }
  const result = Manifest.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`);
    throw new AppError(ErrorCode.INVALID_INPUT, `The audit export manifest is malformed: ${issues.join('; ')}`, { details: { issues } });
  }
  return result.data;
}

/**
 * Checks the manifest's signature against `publicKey` (base64 raw Ed25519, as `audit:public-key`
 * prints it). Returns null when it verifies, else why not. Throws INVALID_INPUT for a malformed key.
 */
export function auditManifestSignatureProblem(manifest: AuditExportManifest, publicKey: string): string | null {
  const key = parsePublicKey(publicKey);
  const signature = Buffer.from(manifest.signature, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== manifest.signature) {
    return 'the manifest signature is not base64 of a 64-byte Ed25519 signature';
  }
  if (verify(null, signingBytes(manifest), key, signature)) return null;
  const signer = manifest.publicKey === publicKey ? '' : ` (the manifest names key ${safeFingerprint(manifest.publicKey)}, expected ${fingerprint(publicKey)})`;
  return `the manifest signature does not verify with the hub key${signer}: the manifest was edited or signed by another key`;
}

/** A key's fingerprint for a message, even when the key is malformed (it comes from the file being checked). */
export function safeFingerprint(publicKey: string): string {
  try {
    return fingerprint(publicKey);
  } catch {
    return '(malformed key)';
  }
}
