#!/usr/bin/env node
/**
 * consilium-ownership: offline verification and printing of signed ownership statements. No
 * database and no network: a verifier needs the statement, the hub's public key and, to recompute
 * every figure, the ledger as NDJSON.
 */
import { readFile, writeFile } from 'node:fs/promises';
// Subpaths, not the package indexes: the verifier must not load the database driver (see audit-cli.ts).
import { safeFingerprint } from '@consilium/audit/manifest';
import { parseLedgerNdjson } from '@consilium/contribution/ledger-ndjson';
import type { LedgerEntry } from '@consilium/contribution/ledger';
import { ownershipStatementProblems, parseOwnershipStatement, renderOwnershipStatementHtml } from '@consilium/contribution/statement';
import type { OwnershipStatement } from '@consilium/contribution/statement';
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import { Command, CommanderError, Option } from 'commander';
import { parsePublicKey } from '@consilium/protocol';
import { readPublicKeyArgument } from './public-key-argument.ts';

/** Exit statuses: verified; not valid (or not verified against what was given); the command could not run or no key was pinned. */
const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

/** The statement was read but is not a valid one: reported, then exit EXIT_INVALID. */
class InvalidStatement extends Error {}

const program = new Command('consilium-ownership').description('Offline checks of Consilium signed ownership statements.');
// Usage errors exit EXIT_USAGE (commander's own default is 1, which here means "invalid").
program.exitOverride();

program
  .command('verify')
  .description("Verify a signed ownership statement with the hub's public key, optionally recomputing it from the ledger")
  .argument('<statement>', 'statement.json, as the hub issued it')
  .option('--public-key <file|base64>', "the hub's Ed25519 public key, as `consilium-hub audit:public-key` prints it (base64, or a file holding it or a PEM public key)")
  .addOption(
    new Option('--trust-statement-key', 'without --public-key, accept the key the statement names itself (does NOT show that the hub signed it)').conflicts('publicKey'),
  )
  .option('--ledger <ledger.ndjson>', 'the ledger, one entry per line; every share, stake, slash and total is recomputed from it and its digest checked')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
What is checked:
  - the statement's Ed25519 signature, with the hub key given by --public-key;
  - that the shares add up to exactly 100% and are the largest-remainder apportionment of the
    stated rewards, and that the total matches them;
  - with --ledger: the ledger's SHA-256 digest against the one the statement pins, and every share,
    reward, stake, slash and total recomputed from the entries (the first differing site is named).
  Names, status, rounds, reputation and flags are not in the ledger: only the signature covers them.

Pin the key: get the hub's key from its operator through a channel you trust and pass it with
--public-key. Without it everything else is still checked, with the key written in the statement,
but the statement is reported NOT verified (exit ${EXIT_USAGE}). --trust-statement-key accepts the
statement's own key anyway, with a warning.

Exit status: ${EXIT_VALID} verified, ${EXIT_INVALID} not valid (bad signature, other key, shares wrong, ledger mismatch, malformed
statement), ${EXIT_USAGE} usage error, unreadable file or key, or no pinned key (no --public-key and no
--trust-statement-key).`,
  )
  .action(async (statementPath: string, opts: { publicKey?: string; trustStatementKey?: boolean; ledger?: string; json?: boolean }) => {
    const pinned = opts.publicKey === undefined ? undefined : await readPublicKeyArgument(opts.publicKey);
    const entries = opts.ledger === undefined ? undefined : await readLedger(opts.ledger);
    const text = await readText(statementPath, 'statement');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return finish(opts.json, { ok: false, keySource: null, problems: ['the statement is not valid JSON'] }, statementPath);
    }
    // Without a pinned key, check with the key the statement names (if it names a well-formed one).
    const statedKey = typeof json === 'object' && json !== null && 'publicKey' in json && typeof json.publicKey === 'string' ? json.publicKey : undefined;
    const key = pinned ?? (statedKey !== undefined && isPublicKey(statedKey) ? statedKey : undefined);
    if (key === undefined) {
      return finish(opts.json, { ok: false, keySource: null, problems: ['the statement names no well-formed Ed25519 public key'] }, statementPath);
    }
    const problems = ownershipStatementProblems(json, { publicKey: key, entries });
    const keySource = pinned !== undefined ? 'pinned' : opts.trustStatementKey ? 'statement (trusted)' : 'statement';
    if (pinned === undefined) {
      const fingerprint = safeFingerprint(key);
      process.stderr.write(
        (opts.trustStatementKey
          ? `WARNING: --trust-statement-key: the statement was checked ONLY with the key it names itself (${fingerprint}), NOT a pinned hub key.\n` +
            'A passing result does NOT show that the hub signed this statement: whoever could rewrite it could re-sign it with a key of their own.\n'
          : `WARNING: no --public-key given; the statement was checked only with the key it names itself (${fingerprint}), so it is NOT verified.\n` +
            'This does not show that the hub signed it.\n') +
          'Pin the hub key: consilium-ownership verify <statement.json> --public-key <key from consilium-hub audit:public-key>\n',
      );
    }
    finish(opts.json, { ok: problems.length === 0, keySource, problems, statement: problems.length === 0 ? (json as OwnershipStatement) : undefined, ledger: entries !== undefined }, statementPath);
  });

program
  .command('html')
  .description('Render a statement as a standalone printable HTML page (does not verify it: run `verify` for that)')
  .argument('<statement>', 'statement.json, as the hub issued it')
  .option('--out <file.html>', 'write the page here instead of to standard output')
  .action(async (statementPath: string, opts: { out?: string }) => {
    const text = await readText(statementPath, 'statement');
    let statement: OwnershipStatement;
    try {
      statement = parseOwnershipStatement(text);
    } catch (error) {
      throw new InvalidStatement(describeError(error));
    }
    const html = renderOwnershipStatementHtml(statement);
    if (opts.out === undefined) {
      process.stdout.write(html);
      return;
    }
    await writeFile(opts.out, html, 'utf8');
    process.stdout.write(`${printable(`Wrote the ownership statement of study "${statement.study.name}" to ${opts.out} (not verified by this command: run consilium-ownership verify).`)}\n`);
  });

interface Outcome {
  ok: boolean;
  /** Which key the signature was checked with; null when it could not be checked. */
  keySource: 'pinned' | 'statement' | 'statement (trusted)' | null;
  problems: string[];
  statement?: OwnershipStatement;
  ledger?: boolean;
}

/** Prints the outcome and sets the exit status: verified with a pinned (or explicitly trusted) key, invalid, or consistent but unpinned. */
function finish(json: boolean | undefined, outcome: Outcome, statementPath: string): void {
  const unpinned = outcome.ok && outcome.keySource === 'statement';
  const verified = outcome.ok && !unpinned;
  process.exitCode = verified ? EXIT_VALID : unpinned ? EXIT_USAGE : EXIT_INVALID;
  if (json) {
    const s = outcome.statement;
    process.stdout.write(
      `${JSON.stringify(
        {
          verified,
          keySource: outcome.keySource,
          problems: outcome.problems,
          ...(s === undefined ? {} : { study: s.study, issuedAt: s.issuedAt, publicKeyFingerprint: safeFingerprint(s.publicKey), ledgerRecomputed: outcome.ledger === true }),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines: string[] = [];
  if (!outcome.ok) {
    lines.push(`NOT VERIFIED: ${statementPath} is not a valid ownership statement${outcome.keySource === null ? '' : ` (checked with the ${outcome.keySource === 'pinned' ? 'pinned hub key' : 'key it names itself'})`}.`);
    for (const problem of outcome.problems) lines.push(`- ${problem}`);
  } else {
    const s = outcome.statement!;
    const fingerprint = safeFingerprint(s.publicKey);
    if (unpinned) {
      lines.push(`NOT VERIFIED: no pinned hub key. Study "${s.study.name}" (${s.study.id}), issued ${s.issuedAt}.`);
      lines.push(`The statement is consistent and its signature verifies, but only with the key it names itself (${fingerprint}).`);
      lines.push('Pass the hub key with --public-key (or --trust-statement-key to accept the statement key, which does not show that the hub signed it).');
    } else {
      lines.push(`OK: ownership statement of study "${s.study.name}" (${s.study.id}) verified, issued ${s.issuedAt}.`);
      lines.push(`Signed by ${outcome.keySource === 'pinned' ? 'the pinned hub key' : 'the key it names (NOT pinned, trusted by --trust-statement-key)'} ${fingerprint}; ${s.shares.length} sites, shares sum to exactly 100%.`);
    }
    lines.push(
      outcome.ledger
        ? `Recomputed from the ledger (${s.ledger.entries} entries, SHA-256 ${s.ledger.digest}): every share, stake, slash and total matches.`
        : 'Shares were checked against the stated rewards, not recomputed from the ledger (pass --ledger <ledger.ndjson> to do so).',
    );
    for (const share of s.shares) lines.push(`  ${share.percent.padStart(12)}  ${share.siteName} (${share.siteId})`);
  }
  process.stdout.write(`${lines.map(printable).join('\n')}\n`);
}

/** Names and ids come from the file being checked: control characters (terminal escapes) are shown escaped, not sent to the terminal. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isPublicKey(value: string): boolean {
  try {
    parsePublicKey(value);
    return true;
  } catch {
    return false;
  }
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `cannot read the ${what} ${file}: ${(cause as Error).message}`, { cause });
  }
}

async function readLedger(file: string): Promise<LedgerEntry[]> {
  const text = await readText(file, 'ledger');
  try {
    return parseLedgerNdjson(text);
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `--ledger ${file}: ${(cause as Error).message}`, { cause });
  }
}

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander has printed the message (or the help) already.
    process.exit(error.exitCode === 0 ? EXIT_VALID : EXIT_USAGE);
  }
  if (error instanceof InvalidStatement) {
    process.stderr.write(`consilium-ownership: NOT VALID: ${error.message}\n`);
    process.exit(EXIT_INVALID);
  }
  process.stderr.write(`consilium-ownership: ${describeError(error)}\n`);
  process.exit(EXIT_USAGE);
});
