import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { AppError, ErrorCode, describeError } from '@consilium/errors';
import { parsePublicKey } from '@consilium/protocol';
import { ExportEventChecker, type BadExportEvent } from './export-checker.ts';
import type { AuditExportFormat } from './export-format.ts';
import { exportRowReader } from './export-rows.ts';
import { auditManifestSignatureProblem, manifestPathFor, parseAuditExportManifest, type AuditExportManifest } from './manifest.ts';

export type { BadExportEvent } from './export-checker.ts';

/**
 * Offline verification of an audit export against its signed manifest, reading the file as a
 * stream: memory is one chunk and one event, whatever the size of the export. What is checked for
 * a complete and for a filtered export is described in export-checker.ts; in both cases the
 * manifest's signature, event count, first and last event and the file's SHA-256 and size must
 * match.
 */
export interface AuditExportVerification {
  ok: boolean;
  format: AuditExportFormat;
  /** A filtered export is a selection, not a contiguous chain (see export-checker.ts). */
  filtered: boolean;
  /** Events read and verified (up to the first bad one). */
  count: number;
  /** The first event that does not verify. */
  firstBad: BadExportEvent | null;
  /** Problems with the export as a whole: the signature, the file digest, the count, first and last event. */
  problems: string[];
}

export interface VerifyAuditExportOptions {
  manifest: AuditExportManifest;
  /** The hub's public key (base64 raw Ed25519), obtained from the hub out of band. */
  publicKey: string;
}

/** Verifies an export's bytes (any async iterable: a file stream, a response body) against its manifest. */
export async function verifyAuditExport(source: AsyncIterable<Uint8Array | string>, options: VerifyAuditExportOptions): Promise<AuditExportVerification> {
  const { manifest } = options;
  const problems: string[] = [];
  try {
    const signature = auditManifestSignatureProblem(manifest, options.publicKey);
    if (signature) problems.push(signature);
  } catch (error) {
    problems.push(`the manifest signature cannot be checked: ${describeError(error)}`);
  }

  const checker = new ExportEventChecker(manifest);
  const reader = exportRowReader(manifest.format);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const digest = createHash('sha256');
  let bytes = 0;
  const read = (decode: () => string, final: boolean) => {
    let text: string;
    try {
      text = decode();
    } catch {
      // TextDecoder with `fatal` throws on a malformed byte sequence.
      checker.fail({ seq: null, line: null, reason: 'the file is not valid UTF-8' });
      return;
    }
    const rows = final ? [...reader.push(text), ...reader.end()] : reader.push(text);
    for (const row of rows) if (!checker.push(row)) return;
  };
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    digest.update(buffer);
    bytes += buffer.length;
    // After the first bad event the rest is only hashed: the digest is still reported.
    if (!checker.failed) read(() => decoder.decode(buffer, { stream: true }), false);
  }
  if (!checker.failed) read(() => decoder.decode(), true);

  const events = checker.finish();
  const sha256 = digest.digest('hex');
  if (bytes !== manifest.file.bytes || sha256 !== manifest.file.sha256) {
    problems.push(`the file (${bytes} bytes, SHA-256 ${sha256.slice(0, 16)}…) is not the one the manifest records (${manifest.file.bytes} bytes, ${manifest.file.sha256.slice(0, 16)}…): it was changed after export`);
  }
  problems.unshift(...events.problems);
  return {
    ok: events.firstBad === null && problems.length === 0,
    format: manifest.format,
    filtered: checker.filtered,
    count: events.count,
    firstBad: events.firstBad,
    problems,
  };
}

export interface VerifyAuditExportFileOptions {
  /** Default: `<export>.manifest.json`. */
  manifestPath?: string | undefined;
  /**
   * The hub's public key (base64 raw Ed25519), pinned by the verifier: only a signature checked
   * against a pinned key shows that the hub signed the export.
   */
  publicKey?: string | undefined;
  /**
   * Without `publicKey`, the signature is checked with the key written in the manifest, which
   * proves only that the file and manifest agree with each other — anyone able to rewrite the
   * export could re-sign it with a key of their own. Such a result is not `ok` (a problem says why)
   * unless this is set, an explicit choice to accept the manifest's own key.
   */
  trustManifestKey?: boolean | undefined;
}

export interface AuditExportFileVerification extends AuditExportVerification {
  manifest: AuditExportManifest;
  manifestPath: string;
  /** Where the key came from: `manifest` means it was not pinned. */
  keySource: 'pinned' | 'manifest';
  /** True only when the signature was checked against a key the caller pinned (`publicKey`). */
  signatureCheckedWithPinnedKey: boolean;
  /**
   * True when everything but the key's origin verifies: events, count, first/last, file digest and
   * a signature valid for the key used. With a pinned key (or `trustManifestKey`) this equals `ok`.
   */
  consistent: boolean;
}

/** The problem reported, and `ok` withheld, when the key was not pinned and not explicitly trusted. */
export const UNPINNED_KEY_PROBLEM =
  'no pinned hub key: the signature was checked only with the key the manifest names itself, which does not show that the hub signed the export (pin the hub key, or trust the manifest key explicitly)';

/**
 * Verifies an export file and its manifest. Throws INVALID_INPUT for a malformed pinned key or an
 * unreadable manifest. Without a pinned key the result is not `ok` unless `trustManifestKey` is set.
 */
export async function verifyAuditExportFile(exportPath: string, options: VerifyAuditExportFileOptions = {}): Promise<AuditExportFileVerification> {
  if (options.publicKey !== undefined) parsePublicKey(options.publicKey);
  const manifestPath = options.manifestPath ?? manifestPathFor(exportPath);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot read the export's manifest ${manifestPath}: ${(cause as Error).message}`, { cause });
  }
  const manifest = parseAuditExportManifest(text);
  const pinned = options.publicKey !== undefined;
  const publicKey = options.publicKey ?? manifest.publicKey;
  let file;
  try {
    file = await open(exportPath, 'r');
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot read the export ${exportPath}: ${(cause as Error).message}`, { cause });
  }
  const stream = file.createReadStream({ highWaterMark: 1024 * 1024 });
  const result = await verifyAuditExport(stream as AsyncIterable<Buffer>, { manifest, publicKey });
  const consistent = result.ok;
  const accepted = pinned || options.trustManifestKey === true;
  return {
    ...result,
    ok: consistent && accepted,
    problems: accepted ? result.problems : [...result.problems, UNPINNED_KEY_PROBLEM],
    manifest,
    manifestPath,
    keySource: pinned ? 'pinned' : 'manifest',
    signatureCheckedWithPinnedKey: pinned,
    consistent,
  };
}
