/**
 * A signed ownership statement: a study's ownership shares, as the hub states them at a moment,
 * signed with the hub's Ed25519 key so that anyone holding the hub's public key can check it
 * offline (`consilium-ownership verify`), and printable as a standalone HTML page.
 *
 * Every number in it is recomputable from the ledger: shares come from `ownershipFromLedger`,
 * totals, stakes and slashes from `replay`, and the statement pins the exact entries it was
 * computed from with a SHA-256 digest. A verifier holding the ledger NDJSON re-derives them all;
 * one without it can still check the signature, that the shares sum to exactly 100%, and that they
 * are the largest-remainder apportionment of the stated rewards. Names, status, rounds, reputation
 * and flags are not in the ledger: for those the signature is the only guarantee.
 *
 * Signed bytes, as for audit export manifests (packages/audit/src/manifest.ts):
 *
 *     CONSILIUM-OWNERSHIP-STATEMENT-V1\n{canonical JSON of every field except `signature`}
 *
 * The public key is base64 of the raw 32-byte Ed25519 key, as `consilium-hub audit:public-key`
 * prints it; the statement names it for information only, a verifier must pin the hub's key.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { z } from 'zod';
import { accounts, replay } from './ledger.ts';
import type { LedgerEntry, LedgerState } from './ledger.ts';
import { canonicalJson, fingerprint, parsePublicKey } from '@consilium/protocol';
import { formatPercent, ownershipFromLedger, ownershipShares, PERCENT_UNITS } from './ownership.ts';
import type { OwnershipShare } from './ownership.ts';

export const OWNERSHIP_STATEMENT_FORMAT = 'consilium.ownership-statement/1';
const SIGNING_DOMAIN = 'CONSILIUM-OWNERSHIP-STATEMENT-V1';

const micro = z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a non-negative integer amount of micro-credits as a decimal string');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const Share = z.strictObject({
  siteId: z.string().min(1),
  siteName: z.string(),
  /** Cumulative reward in this study, micro-credits. */
  rewardMicro: micro,
  /** Share of the model in units of 10⁻⁶ percent (PERCENT_UNITS = 100%). */
  units: z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a non-negative integer as a decimal string'),
  /** `formatPercent(units)`, e.g. "33.333334%". */
  percent: z.string().regex(/^[0-9]+\.[0-9]{6}%$/, 'must look like "12.345678%"'),
  /** What is left of the site's stake in the study (after slashes and releases), micro-credits. */
  stakeMicro: micro,
  /** Total slashed from the site's stake in the study, micro-credits. */
  slashedMicro: micro,
  reputation: z.number(),
  /** How many times the site was flagged in the study. */
  flags: count,
});

const Body = z.strictObject({
  format: z.literal(OWNERSHIP_STATEMENT_FORMAT),
  study: z.strictObject({ id: z.string().min(1), name: z.string() }),
  issuedAt: z.iso.datetime(),
  status: z.string().min(1),
  /** Settled rounds when the statement was issued. */
  rounds: count,
  ledger: z.strictObject({
    entries: count,
    lastEntryId: z.string().min(1).nullable(),
    /** `ledgerDigest(entries)`: SHA-256 hex of the canonical JSON of the entries, in order. */
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  }),
  totals: z.strictObject({ rewardedMicro: micro, slashedMicro: micro, poolRemainingMicro: micro }),
  /** Sorted by siteId, as ownershipShares returns them. */
  shares: z.array(Share).min(1),
});

const SignedFields = Body.extend({
  /** The signer's key (base64 raw Ed25519), for information: a verifier must pin the hub's key itself. */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of a raw 32-byte Ed25519 key'),
});

/** A signed ownership statement, as written to `statement.json`. */
export const OwnershipStatement = SignedFields.extend({
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be base64 of a 64-byte Ed25519 signature'),
});
export type OwnershipStatement = z.output<typeof OwnershipStatement>;
/** A statement before signing: what buildOwnershipStatement returns. */
export type OwnershipStatementBody = z.output<typeof Body>;
export type OwnershipStatementShare = z.output<typeof Share>;

export interface OwnershipStatementInput {
  study: { id: string; name: string };
  /** The study's status, e.g. 'running', 'completed', 'failed'. */
  status: string;
  /** Settled rounds. */
  rounds: number;
  /**
   * The ledger in append order, as it must replay: include the deposits that funded the stakes
   * (the whole ledger will do). The statement pins exactly these entries by digest.
   */
  entries: readonly LedgerEntry[];
  /**
   * siteId → display name. Lists the sites to show; each also appears with 0% if it earned nothing.
   * Every site with a stake or reward in the study must have a name.
   */
  siteNames: ReadonlyMap<string, string>;
  /** siteId → reputation; required for every listed site. */
  reputation: ReadonlyMap<string, number>;
  /** siteId → number of flags; a site missing here has 0. */
  flags?: ReadonlyMap<string, number>;
  issuedAt: Date | string;
}

/** SHA-256 hex of the canonical JSON array of `entries` (amounts as decimal strings), in order. */
export function ledgerDigest(entries: readonly LedgerEntry[]): string {
  return createHash('sha256').update(canonicalJson(entries), 'utf8').digest('hex');
}

/** "1234.567890" for 1 234 567 890 micro-credits: exact, by string arithmetic on the integer. */
export function formatMicroCredits(amountMicro: bigint | string): string {
  const value = typeof amountMicro === 'bigint' ? amountMicro : parseInteger(amountMicro, 'amount');
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
}

function parseInteger(text: string, what: string): bigint {
  if (!/^-?(0|[1-9][0-9]*)$/.test(text)) throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be an integer as a decimal string, got "${text}"`);
  return BigInt(text);
}

/** What the ledger says about a study, per site: the numbers a statement must carry. */
interface StudyFigures {
  shares: OwnershipShare[];
  stake: Map<string, bigint>;
  slashed: Map<string, bigint>;
  totals: { rewarded: bigint; slashed: bigint; poolRemaining: bigint };
}

/** Sites with a stake or rewards account in the study. */
function ledgerSites(state: LedgerState, studyId: string): Set<string> {
  const sites = new Set<string>();
  for (const account of state.balances.keys()) {
    const [type, study, site] = account.split(':');
    if ((type === 'stake' || type === 'rewards') && study === studyId && site !== undefined) sites.add(site);
  }
  return sites;
}

function studyFigures(entries: readonly LedgerEntry[], state: LedgerState, studyId: string, sites: Iterable<string>): StudyFigures {
  const shares = ownershipFromLedger(entries, studyId, { sites });
  const slashed = new Map<string, bigint>();
  for (const entry of entries) {
    if (entry.kind !== 'slash' || entry.studyId !== studyId || entry.siteId === null) continue;
    const moved = entry.postings.find((p) => p.account === accounts.slashed(studyId))?.amount ?? 0n;
    slashed.set(entry.siteId, (slashed.get(entry.siteId) ?? 0n) + moved);
  }
  const stake = new Map(shares.map((s) => [s.siteId, state.balances.get(accounts.stake(studyId, s.siteId)) ?? 0n]));
  return {
    shares,
    stake,
    slashed,
    totals: {
      rewarded: shares.reduce((sum, s) => sum + s.reward, 0n),
      slashed: state.balances.get(accounts.slashed(studyId)) ?? 0n,
      poolRemaining: state.balances.get(accounts.pool(studyId)) ?? 0n,
    },
  };
}

/**
 * The unsigned statement, computed from nothing but the ledger (plus names, reputation and flags,
 * which the ledger does not hold). Throws INVALID_INPUT if the ledger does not replay or a site
 * lacks a name or reputation, and WRONG_STATE while nobody has earned a reward in the study.
 */
export function buildOwnershipStatement(input: OwnershipStatementInput): OwnershipStatementBody {
  const studyId = input.study.id;
  const state = replay(input.entries);
  const sites = new Set([...input.siteNames.keys(), ...ledgerSites(state, studyId)]);
  const figures = studyFigures(input.entries, state, studyId, sites);

  const shares = figures.shares.map((share) => {
    const siteName = input.siteNames.get(share.siteId);
    if (siteName === undefined) throw new AppError(ErrorCode.INVALID_INPUT, `site ${share.siteId} has a stake or reward in study ${studyId} but no name`);
    const reputation = input.reputation.get(share.siteId);
    if (reputation === undefined) throw new AppError(ErrorCode.INVALID_INPUT, `site ${share.siteId} (${siteName}) has no reputation`);
    return {
      siteId: share.siteId,
      siteName,
      rewardMicro: share.reward.toString(),
      units: share.units.toString(),
      percent: formatPercent(share.units),
      stakeMicro: (figures.stake.get(share.siteId) ?? 0n).toString(),
      slashedMicro: (figures.slashed.get(share.siteId) ?? 0n).toString(),
      reputation,
      flags: input.flags?.get(share.siteId) ?? 0,
    };
  });

  const issuedAt = input.issuedAt instanceof Date ? input.issuedAt.toISOString() : input.issuedAt;
  const body = Body.safeParse({
    format: OWNERSHIP_STATEMENT_FORMAT,
    study: { id: studyId, name: input.study.name },
    issuedAt,
    status: input.status,
    rounds: input.rounds,
    ledger: { entries: input.entries.length, lastEntryId: input.entries.at(-1)?.id ?? null, digest: ledgerDigest(input.entries) },
    totals: {
      rewardedMicro: figures.totals.rewarded.toString(),
      slashedMicro: figures.totals.slashed.toString(),
      poolRemainingMicro: figures.totals.poolRemaining.toString(),
    },
    shares,
  });
  if (!body.success) throw new AppError(ErrorCode.INVALID_INPUT, `Cannot build the ownership statement: ${issueList(body.error)}`);
  return body.data;
}

function issueList(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'statement'}: ${i.message}`).join('; ');
}

/** The exact bytes the signature covers: the domain line, then the canonical JSON of every field but `signature`. */
export function ownershipStatementSigningBytes(statement: OwnershipStatementBody & { publicKey: string }): Buffer {
  const fields = Object.fromEntries(Object.keys(SignedFields.shape).map((k) => [k, statement[k as keyof typeof statement]]));
  return Buffer.from(`${SIGNING_DOMAIN}\n${canonicalJson(fields)}`, 'utf8');
}

function privateKey(privateKeyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The signing key is not a readable, unencrypted PKCS#8 PEM private key', { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError(ErrorCode.INVALID_INPUT, `The signing key is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}

/** The key's fingerprint as everywhere else in Consilium, or a note that it is not a key. */
function keyFingerprint(base64: string): string {
  try {
    return fingerprint(base64);
  } catch {
    return '(malformed key)';
  }
}

/**
 * Signs a statement with the hub's private key (PKCS#8 PEM, Ed25519). The public key is derived from
 * the private one, so the statement cannot name a key other than the signer's. Refuses (INVALID_INPUT)
 * a body that is malformed or whose shares are not a consistent 100%.
 */
export function signOwnershipStatement(body: OwnershipStatementBody, privateKeyPem: string): OwnershipStatement {
  const key = privateKey(privateKeyPem);
  const parsed = SignedFields.safeParse({ ...body, publicKey: createPublicKey(key).export({ format: 'raw-public' }).toString('base64') });
  if (!parsed.success) throw new AppError(ErrorCode.INVALID_INPUT, `Cannot sign an invalid ownership statement: ${issueList(parsed.error)}`);
  const problems = contentProblems(parsed.data);
  if (problems.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, `Cannot sign an inconsistent ownership statement: ${problems.join('; ')}`);
  return { ...parsed.data, signature: sign(null, ownershipStatementSigningBytes(parsed.data), key).toString('base64') };
}

/** Parses a statement file's text; throws INVALID_INPUT naming what is malformed. */
export function parseOwnershipStatement(text: string): OwnershipStatement {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'The ownership statement is not valid JSON', { cause });
  }
  const parsed = OwnershipStatement.safeParse(json);
  if (!parsed.success) throw new AppError(ErrorCode.INVALID_INPUT, `The ownership statement is malformed: ${issueList(parsed.error)}`);
  return parsed.data;
}

export interface OwnershipStatementCheck {
  /** The hub's key, pinned by the verifier (base64 raw Ed25519). Throws INVALID_INPUT if malformed. */
  publicKey: string;
  /** The ledger, to recompute the statement from; without it only signature and internal consistency are checked. */
  entries?: readonly LedgerEntry[];
}

function siteLabel(share: { siteId: string; siteName: string }): string {
  return `site ${JSON.stringify(share.siteName)} (${share.siteId})`;
}

/** Checks that need nothing but the statement: 100% exactly, percent strings, apportionment of the stated rewards, totals. */
function contentProblems(statement: OwnershipStatementBody): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const share of statement.shares) {
    if (seen.has(share.siteId)) problems.push(`${siteLabel(share)} is listed twice`);
    seen.add(share.siteId);
  }
  const sum = statement.shares.reduce((a, s) => a + BigInt(s.units), 0n);
  if (sum !== PERCENT_UNITS) problems.push(`the shares sum to ${formatPercent(sum)}, not exactly 100%`);
  for (const share of statement.shares) {
    const expected = formatPercent(BigInt(share.units));
    if (share.percent !== expected) problems.push(`${siteLabel(share)}: percent ${share.percent} does not match its ${share.units} units (${expected})`);
  }
  const rewarded = statement.shares.reduce((a, s) => a + BigInt(s.rewardMicro), 0n);
  if (rewarded !== BigInt(statement.totals.rewardedMicro)) {
    problems.push(`total rewards ${formatMicroCredits(statement.totals.rewardedMicro)} credits are not the sum of the sites' rewards (${formatMicroCredits(rewarded)})`);
  }
  if (seen.size === statement.shares.length && rewarded > 0n) {
    // The units must be the largest-remainder apportionment of the stated rewards.
    const recomputed = ownershipShares(statement.shares.map((s) => [s.siteId, BigInt(s.rewardMicro)] as const));
    const units = new Map(recomputed.map((s) => [s.siteId, s.units]));
    const first = statement.shares.find((s) => units.get(s.siteId) !== BigInt(s.units));
    if (first !== undefined) {
      problems.push(`${siteLabel(first)}: ${first.percent} is not its share of the stated rewards (${formatPercent(units.get(first.siteId)!)} for ${formatMicroCredits(first.rewardMicro)} credits)`);
    }
  } else if (rewarded === 0n) {
    problems.push('no site has a reward, so there is nothing to own a share of');
  }
  return problems;
}

/** Checks against the ledger: the digest, then every figure recomputed from the entries. */
function ledgerProblems(statement: OwnershipStatement, entries: readonly LedgerEntry[]): string[] {
  const problems: string[] = [];
  const digest = ledgerDigest(entries);
  if (digest !== statement.ledger.digest) {
    problems.push(`the ledger digest does not match: the statement pins ${statement.ledger.entries} entries with digest ${statement.ledger.digest}, the ledger given has ${entries.length} entries with digest ${digest}`);
  } else if (entries.length !== statement.ledger.entries || (entries.at(-1)?.id ?? null) !== statement.ledger.lastEntryId) {
    problems.push(`the statement's ledger entry count or last entry id does not match the ledger (${entries.length} entries, last ${entries.at(-1)?.id ?? 'none'})`);
  }

  let state: LedgerState;
  let figures: StudyFigures;
  try {
    state = replay(entries);
    figures = studyFigures(
      entries,
      state,
      statement.study.id,
      statement.shares.map((s) => s.siteId),
    );
  } catch (error) {
    problems.push(`the statement cannot be recomputed from the ledger: ${error instanceof Error ? error.message : String(error)}`);
    return problems;
  }

  const stated = new Map(statement.shares.map((s) => [s.siteId, s]));
  const missing = [...ledgerSites(state, statement.study.id)].sort().find((siteId) => !stated.has(siteId));
  if (missing !== undefined) problems.push(`site ${missing} has a stake or reward in the ledger but is missing from the statement`);
  for (const share of figures.shares) {
    const s = stated.get(share.siteId);
    if (s === undefined) continue;
    const stake = figures.stake.get(share.siteId) ?? 0n;
    const slashed = figures.slashed.get(share.siteId) ?? 0n;
    if (BigInt(s.units) !== share.units || BigInt(s.rewardMicro) !== share.reward || BigInt(s.stakeMicro) !== stake || BigInt(s.slashedMicro) !== slashed) {
      problems.push(
        `${siteLabel(s)} differs from the ledger: the statement gives ${s.percent} (reward ${formatMicroCredits(s.rewardMicro)}, stake ${formatMicroCredits(s.stakeMicro)}, slashed ${formatMicroCredits(s.slashedMicro)}), ` +
          `the ledger gives ${formatPercent(share.units)} (reward ${formatMicroCredits(share.reward)}, stake ${formatMicroCredits(stake)}, slashed ${formatMicroCredits(slashed)})`,
      );
      break; // the first site whose share differs
    }
  }
  const t = statement.totals;
  const totals = figures.totals;
  if (BigInt(t.rewardedMicro) !== totals.rewarded || BigInt(t.slashedMicro) !== totals.slashed || BigInt(t.poolRemainingMicro) !== totals.poolRemaining) {
    problems.push(
      `the totals differ from the ledger: the statement gives rewarded ${formatMicroCredits(t.rewardedMicro)}, slashed ${formatMicroCredits(t.slashedMicro)}, pool remaining ${formatMicroCredits(t.poolRemainingMicro)}; ` +
        `the ledger gives ${formatMicroCredits(totals.rewarded)}, ${formatMicroCredits(totals.slashed)}, ${formatMicroCredits(totals.poolRemaining)}`,
    );
  }
  return problems;
}

/**
 * Everything wrong with a statement, in order: malformed; signed by a key other than the pinned one,
 * or a signature that does not verify; shares that are not exactly 100% or not the apportionment of
 * the stated rewards; and, given the ledger, a digest mismatch and the first site (and totals) that
 * differ from the recomputation. Empty when the statement verifies. `statement` may be untrusted
 * JSON. Throws INVALID_INPUT only for a malformed pinned key.
 */
export function ownershipStatementProblems(statement: unknown, check: OwnershipStatementCheck): string[] {
  const pinned = parsePublicKey(check.publicKey);
  const parsed = OwnershipStatement.safeParse(statement);
  if (!parsed.success) return [`the statement is malformed: ${issueList(parsed.error)}`];
  const s = parsed.data;

  const problems: string[] = [];
  if (s.publicKey !== check.publicKey) {
    problems.push(`the statement is signed by key ${keyFingerprint(s.publicKey)}, not the pinned hub key ${keyFingerprint(check.publicKey)}`);
  } else if (!verify(null, ownershipStatementSigningBytes(s), pinned, Buffer.from(s.signature, 'base64'))) {
    problems.push(`the signature does not verify with the hub key ${keyFingerprint(check.publicKey)}: the statement was edited after it was signed`);
  }
  problems.push(...contentProblems(s));
  if (check.entries !== undefined) problems.push(...ledgerProblems(s, check.entries));
  return problems;
}

/** null when the statement verifies with the pinned key (and matches the ledger, if given), else every reason, joined by "; ". */
export function ownershipStatementProblem(statement: unknown, check: OwnershipStatementCheck): string | null {
  const problems = ownershipStatementProblems(statement, check);
  return problems.length === 0 ? null : problems.join('; ');
}

// ——— Printable page ———

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PAGE_CSS = `
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 62rem; padding: 0 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
  .sub { color: #57606a; margin: 0 0 1.25rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
  dt { color: #57606a; }
  dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tfoot td { font-weight: 600; border-bottom: none; }
  code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; word-break: break-all; }
  .note { border-left: 3px solid #d0d7de; padding: .25rem .75rem; color: #424a53; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
    th { background: none; }
    tr { break-inside: avoid; }
    h2 { break-after: avoid; }
    .note { border-left-color: #000; }
  }
`;

/**
 * A complete standalone HTML page for the statement, to print or archive: no scripts and no external
 * resources, every text escaped. Throws INVALID_INPUT for a malformed statement; it does NOT verify
 * the signature (the page says how to).
 */
export function renderOwnershipStatementHtml(statement: OwnershipStatement): string {
  const parsed = OwnershipStatement.safeParse(statement);
  if (!parsed.success) throw new AppError(ErrorCode.INVALID_INPUT, `Cannot render a malformed ownership statement: ${issueList(parsed.error)}`);
  const s = parsed.data;
  const e = escapeHtml;
  const rows = s.shares
    .map(
      (share) =>
        `<tr><td>${e(share.siteName)}<br><code>${e(share.siteId)}</code></td>` +
        `<td class="num">${e(share.percent)}</td>` +
        `<td class="num">${e(formatMicroCredits(share.rewardMicro))}</td>` +
        `<td class="num">${e(formatMicroCredits(share.stakeMicro))}</td>` +
        `<td class="num">${e(formatMicroCredits(share.slashedMicro))}</td>` +
        `<td class="num">${e(String(share.reputation))}</td>` +
        `<td class="num">${e(String(share.flags))}</td></tr>`,
    )
    .join('\n          ');
  const totalUnits = s.shares.reduce((a, share) => a + BigInt(share.units), 0n);
  const totalStake = s.shares.reduce((a, share) => a + BigInt(share.stakeMicro), 0n);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ownership statement: ${e(s.study.name)}</title>
  <style>${PAGE_CSS}</style>
</head>
<body>
  <h1>Ownership statement: ${e(s.study.name)}</h1>
  <p class="sub">Study <code>${e(s.study.id)}</code> · status ${e(s.status)} · ${e(String(s.rounds))} settled round${s.rounds === 1 ? '' : 's'} · issued <time datetime="${e(s.issuedAt)}">${e(s.issuedAt)}</time></p>

  <h2>Shares of the model</h2>
  <table>
    <thead>
      <tr><th>Site</th><th class="num">Share</th><th class="num">Reward (credits)</th><th class="num">Stake (credits)</th><th class="num">Slashed (credits)</th><th class="num">Reputation</th><th class="num">Flags</th></tr>
    </thead>
    <tbody>
          ${rows}
    </tbody>
    <tfoot>
      <tr><td>Total</td><td class="num">${e(formatPercent(totalUnits))}</td><td class="num">${e(formatMicroCredits(s.totals.rewardedMicro))}</td><td class="num">${e(formatMicroCredits(totalStake))}</td><td class="num">${e(formatMicroCredits(s.totals.slashedMicro))}</td><td></td><td></td></tr>
    </tfoot>
  </table>
  <p>Reward pool remaining: ${e(formatMicroCredits(s.totals.poolRemainingMicro))} credits. Amounts are exact (1 credit = 1 000 000 micro-credits); shares are exact to 10<sup>−6</sup> percent and add up to exactly 100%.</p>

  <h2>Ledger and signature</h2>
  <dl>
    <dt>Format</dt><dd><code>${e(s.format)}</code></dd>
    <dt>Ledger entries</dt><dd>${e(String(s.ledger.entries))}${s.ledger.lastEntryId === null ? '' : `, last <code>${e(s.ledger.lastEntryId)}</code>`}</dd>
    <dt>Ledger digest (SHA-256)</dt><dd><code>${e(s.ledger.digest)}</code></dd>
    <dt>Hub public key</dt><dd><code>${e(s.publicKey)}</code><br>fingerprint <code>${e(keyFingerprint(s.publicKey))}</code></dd>
    <dt>Signature (Ed25519)</dt><dd><code>${e(s.signature)}</code></dd>
  </dl>

  <h2>How to verify</h2>
  <p class="note">This page is a rendering of <code>statement.json</code>; the printed figures carry no proof on their own. To verify the statement offline, obtain the hub's public key from its operator through a channel you trust (<code>consilium-hub audit:public-key</code>; compare its fingerprint with the one above) and run
  <code>consilium-ownership verify statement.json --public-key &lt;file&gt;</code>.
  This checks the Ed25519 signature over the statement, that the shares add up to exactly 100% and that they are the largest-remainder apportionment of the rewards. Add <code>--ledger ledger.ndjson</code> with the ledger export to recompute every share, stake, slash and total from the ledger itself and to check its digest.</p>
</body>
</html>
`;
}
