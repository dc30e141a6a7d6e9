#!/usr/bin/env node
/**
 * consilium-audit: offline verification of audit exports written by `consilium-hub audit:export`.
 * No database and no network: an auditor needs the export, its manifest and the hub's public key.
 */
// Subpaths, not the package index: the verifier must not load the database driver (see export-filter.ts).
import { safeFingerprint } from '@consilium/audit/manifest';
import { verifyAuditExportFile, type AuditExportFileVerification } from '@consilium/audit/verify-export';
import { describeError } from '@consilium/errors';
import { Command, Option } from 'commander';
import { readPublicKeyArgument } from './public-key-argument.ts';

/** Exit status when the export does not verify (1 is a usage or I/O error). */
const EXIT_NOT_VERIFIED = 2;

const program = new Command('consilium-audit').description('Offline checks of Consilium audit log exports.');

program
  .command('verify')
  .description('Verify an audit export (CSV or NDJSON) and its signed manifest; names the first bad event')
  .argument('<export>', 'export file written by consilium-hub audit:export')
  .option('--public-key <file|base64>', "the hub's Ed25519 public key, as `consilium-hub audit:public-key` prints it (base64, or a file holding it or a PEM public key)")
  .addOption(
    new Option('--trust-manifest-key', 'without --public-key, accept the key the manifest names itself (does NOT show that the hub signed the export)').conflicts('publicKey'),
  )
  .option('--manifest <file>', 'the signed manifest (default: <export>.manifest.json)')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
What is checked:
  - the manifest's Ed25519 signature, with the hub key given by --public-key;
  - the file's SHA-256 and size, the event count and the first and last event, against the manifest;
  - every event's hash, recomputed from its own content (seq, time, actor, action, ids, payload,
    prev_hash), and that seqs increase.
  A complete export (no filter) is the chain itself: seqs must run 1, 2, 3… without a gap, each
  event's prev_hash must be the previous event's hash, and the last event must be the chain head
  recorded at export time. A filtered export (study, site, actor, action or time range) is a
  selection with gaps by design, so links are only checked between adjacent seqs, every event must
  match the filter, and a removed or added line is caught by the signed count and file digest.

Pin the key: get the hub's key from its operator through a channel you trust and pass it with
--public-key. Without it everything else is still checked, with the key written in the manifest,
but the export is reported NOT verified (exit ${EXIT_NOT_VERIFIED}): that key only shows that the export and
manifest agree with each other — whoever could rewrite the export could re-sign it with a key of
their own. --trust-manifest-key accepts the manifest's key anyway (exit 0 if all else verifies),
with a warning; use it only when the export's origin is otherwise assured.

Exit status: 0 verified, ${EXIT_NOT_VERIFIED} not verified (including: no --public-key and no
--trust-manifest-key), 1 the command could not run (missing file, bad key).`,
  )
  .action(async (exportPath: string, opts: { publicKey?: string; trustManifestKey?: boolean; manifest?: string; json?: boolean }) => {
    const publicKey = opts.publicKey === undefined ? undefined : await readPublicKeyArgument(opts.publicKey);
    const result = await verifyAuditExportFile(exportPath, { manifestPath: opts.manifest, publicKey, trustManifestKey: opts.trustManifestKey === true });
    if (!result.signatureCheckedWithPinnedKey) {
      const fingerprint = safeFingerprint(result.manifest.publicKey);
      process.stderr.write(
        (opts.trustManifestKey
          ? `WARNING: --trust-manifest-key: the manifest was checked ONLY with the key it names itself (${fingerprint}), NOT a pinned hub key.\n` +
            'A passing result does NOT show that the hub signed this export: whoever could rewrite it could re-sign it with a key of their own.\n'
          : `WARNING: no --public-key given; the manifest was checked only with the key it names itself (${fingerprint}), so the export is NOT verified.\n` +
            'This does not show that the hub signed it.\n') +
          'Pin the hub key: consilium-audit verify <export> --public-key <key from consilium-hub audit:public-key>\n',
      );
    }
    process.stdout.write(opts.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : report(result));
    if (!result.ok) process.exitCode = EXIT_NOT_VERIFIED;
  });

function scope(result: AuditExportFileVerification): string {
  const m = result.manifest;
  return result.filtered
    ? `${m.format} export filtered by ${JSON.stringify(m.filter)}: each event re-hashed, links followed between adjacent seqs only`
    : `${m.format} export of the complete chain, events 1–${m.chainHead.seq}: every link followed`;
}

function report(result: AuditExportFileVerification): string {
  const lines: string[] = [];
  const m = result.manifest;
  if (result.ok) {
    lines.push(`OK: ${result.count} events verified (${scope(result)}).`);
    lines.push(`Manifest signed by ${result.keySource === 'pinned' ? 'the pinned hub key' : 'the key it names (NOT pinned, trusted by --trust-manifest-key)'} ${safeFingerprint(m.publicKey)}, exported ${m.exportedAt}; file SHA-256 ${m.file.sha256} matches.`);
  } else if (result.consistent) {
    // Everything verified except that the key was not pinned.
    lines.push(`NOT VERIFIED: no pinned hub key (${scope(result)}).`);
    lines.push(`${result.count} events, the file digest and the manifest agree, but the manifest was checked only with the key it names itself (${safeFingerprint(m.publicKey)}).`);
    lines.push('Pass the hub key with --public-key (or --trust-manifest-key to accept the manifest key, which does not show that the hub signed it).');
  } else {
    lines.push(`NOT VERIFIED (${scope(result)}).`);
    const bad = result.firstBad;
    if (bad) {
      const where = [bad.seq === null ? null : `seq ${bad.seq}`, bad.line === null ? null : `line ${bad.line}`].filter(Boolean).join(', ');
      lines.push(`First bad event${where ? ` (${where})` : ''}: ${bad.reason}`);
      lines.push(`${result.count} event${result.count === 1 ? '' : 's'} before it verified.`);
    }
    for (const problem of result.problems) lines.push(`Manifest check failed: ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}

function toJson(result: AuditExportFileVerification) {
  const { manifest, ...rest } = result;
  return { ...rest, publicKeyFingerprint: safeFingerprint(manifest.publicKey), manifest };
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`consilium-audit: ${describeError(error)}\n`);
  process.exit(1);
});
