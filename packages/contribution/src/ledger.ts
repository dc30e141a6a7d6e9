/**
 * A double-entry, append-only credit ledger, in integer micro-credits (BigInt).
 *
 * Why double entry: every movement is an entry whose postings sum to zero, so credits are never
 * created or lost by a bug. Balances of all accounts therefore always sum to zero; the one account
 * allowed below zero is EXTERNAL, the outside world, whose negative balance is exactly the credits
 * brought into the system (sponsors funding pools, sites depositing stake money).
 * Why append-only: the ledger is the source of truth for rewards and model ownership. Nothing is
 * edited or deleted; a correction is a new entry. `replay(entries)` rebuilds every balance and every
 * cumulative reward from the entries alone, so anyone holding the entries can audit the shares.
 * Persistence (a table, a hash chain in the audit log) is the caller's job; this is the model.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import type { Evidence } from './evidence.ts';

/** 1 credit = 1 000 000 micro-credits. All amounts in this package are micro-credits. */
export const MICRO_PER_CREDIT = 1_000_000n;

/** The outside world: the only account allowed a negative balance. */
export const EXTERNAL = 'external';

/** What an account is for. The id encodes type, study and site, e.g. `stake:study-1:site-a`. */
export type AccountType = 'external' | 'wallet' | 'stake' | 'rewards' | 'pool' | 'slashed';

/** Account ids, built in one place so the format cannot drift. Ids may not contain ':'. */
export const accounts = {
  /** A site's free credits, across studies. */
  wallet: (siteId: string) => `wallet:${checkId(siteId)}`,
  /** Credits a site has locked to take part in a study; slashing takes from here. */
  stake: (studyId: string, siteId: string) => `stake:${checkId(studyId)}:${checkId(siteId)}`,
  /** Rewards a site earned in a study. Cumulative rewards here decide model ownership. */
  rewards: (studyId: string, siteId: string) => `rewards:${checkId(studyId)}:${checkId(siteId)}`,
  /** A study's reward budget, funded by its sponsor. */
  pool: (studyId: string) => `pool:${checkId(studyId)}`,
  /** Credits slashed from misbehaving sites in a study (governance decides what happens to them). */
  slashed: (studyId: string) => `slashed:${checkId(studyId)}`,
} as const;

function checkId(id: string): string {
  if (id.length === 0 || id.includes(':')) throw new AppError(ErrorCode.INVALID_INPUT, `ledger ids must be non-empty and contain no ':', got "${id}"`);
  return id;
}

/** Splits an account id into its parts; throws on anything accounts.* could not have produced. */
export function parseAccount(account: string): { type: AccountType; studyId: string | null; siteId: string | null } {
  const parts = account.split(':');
  const bad = () => new AppError(ErrorCode.INVALID_INPUT, `not a ledger account: "${account}"`);
  if (parts.some((p) => p.length === 0)) throw bad();
  const [type, a, b] = parts;
  if (type === 'external' && parts.length === 1) return { type, studyId: null, siteId: null };
  if (type === 'wallet' && parts.length === 2) return { type, studyId: null, siteId: a! };
  if ((type === 'pool' || type === 'slashed') && parts.length === 2) return { type, studyId: a!, siteId: null };
  if ((type === 'stake' || type === 'rewards') && parts.length === 3) return { type, studyId: a!, siteId: b! };
  throw bad();
}

/** One side of an entry: `amount` is added to the account's balance (negative = taken from it). */
export interface Posting {
  readonly account: string;
  readonly amount: bigint;
}

export type EntryKind = 'deposit' | 'fund' | 'stake' | 'release' | 'reward' | 'slash';

export interface LedgerEntry {
  /** Unique within the ledger; choose it deterministically (e.g. reward:study:round:site) to make retries idempotent. */
  readonly id: string;
  readonly kind: EntryKind;
  readonly studyId: string | null;
  readonly siteId: string | null;
  readonly round: number | null;
  readonly memo: string;
  readonly postings: readonly Posting[];
  /** Why, for slashes: the evidence the verdict rested on. */
  readonly evidence?: readonly Evidence[];
}

/** Which account types each kind of entry may touch: a reward cannot quietly drain a stake. */
const ALLOWED: Record<EntryKind, readonly AccountType[]> = {
  deposit: ['external', 'wallet'],
  fund: ['external', 'pool'],
  stake: ['wallet', 'stake'],
  release: ['stake', 'wallet'],
  reward: ['pool', 'rewards'],
  slash: ['stake', 'slashed'],
};

/** Structural checks of one entry on its own: balanced, well-formed, accounts fit its kind. */
export function validateEntry(entry: LedgerEntry): void {
  const fail = (message: string) => {
    throw new AppError(ErrorCode.INVALID_INPUT, `ledger entry ${entry.id}: ${message}`, { details: { entryId: entry.id, kind: entry.kind } });
  };
  if (typeof entry.id !== 'string' || entry.id.length === 0) fail('needs an id');
  if (!Object.hasOwn(ALLOWED, entry.kind)) fail(`unknown kind ${String(entry.kind)}`);
  if (entry.postings.length < 2) fail('needs at least two postings');
  const seen = new Set<string>();
  let sum = 0n;
  for (const p of entry.postings) {
    if (typeof p.amount !== 'bigint') fail(`amount for ${p.account} is not a bigint`);
    if (p.amount === 0n) fail(`zero posting to ${p.account}`);
    if (seen.has(p.account)) fail(`account ${p.account} posted twice`);
    seen.add(p.account);
    const { type, studyId } = parseAccount(p.account);
    if (!ALLOWED[entry.kind].includes(type)) fail(`a ${entry.kind} entry may not post to ${p.account}`);
    if (studyId !== null && studyId !== entry.studyId) fail(`account ${p.account} is outside study ${entry.studyId}`);
    sum += p.amount;
  }
  if (sum !== 0n) fail(`postings do not balance (sum ${sum})`);
}

/** What replaying entries yields. */
export interface LedgerState {
  /** Every account that was ever posted to, with its balance. Sums to exactly 0n. */
  balances: ReadonlyMap<string, bigint>;
  /** studyId → siteId → total micro-credits ever rewarded (never reduced by later movements). */
  cumulativeRewards: ReadonlyMap<string, ReadonlyMap<string, bigint>>;
}

/**
 * The append-only ledger. `append` accepts an entry only if it is valid on its own, its id is new,
 * and it leaves no account other than EXTERNAL negative; otherwise nothing changes. Entries are
 * frozen copies, so a caller cannot edit history through a reference it kept.
 */
export class Ledger {
  readonly #entries: LedgerEntry[] = [];
  readonly #ids = new Set<string>();
  readonly #balances = new Map<string, bigint>();
  readonly #rewards = new Map<string, Map<string, bigint>>();

  /** Appends one entry; returns the stored (frozen) copy. */
  append(entry: LedgerEntry): LedgerEntry {
    validateEntry(entry);
    if (this.#ids.has(entry.id)) throw new AppError(ErrorCode.CONFLICT, `ledger entry ${entry.id} already exists`, { details: { entryId: entry.id } });
    for (const p of entry.postings) {
      const after = (this.#balances.get(p.account) ?? 0n) + p.amount;
      if (after < 0n && p.account !== EXTERNAL)
        throw new AppError(ErrorCode.CONFLICT, `ledger entry ${entry.id} would overdraw ${p.account} (balance ${after - p.amount}, posting ${p.amount})`, {
          details: { entryId: entry.id, account: p.account },
        });
    }

    const stored = freezeEntry(entry);
    for (const p of stored.postings) {
      this.#balances.set(p.account, (this.#balances.get(p.account) ?? 0n) + p.amount);
      if (stored.kind === 'reward' && p.amount > 0n) {
        const { studyId, siteId } = parseAccount(p.account);
        const perStudy = this.#rewards.get(studyId!) ?? new Map<string, bigint>();
        perStudy.set(siteId!, (perStudy.get(siteId!) ?? 0n) + p.amount);
        this.#rewards.set(studyId!, perStudy);
      }
    }
    this.#ids.add(stored.id);
    this.#entries.push(stored);
    return stored;
  }

  /** Every entry in append order (a copy of the list; the entries themselves are frozen). */
  get entries(): readonly LedgerEntry[] {
    return [...this.#entries];
  }

  balance(account: string): bigint {
    return this.#balances.get(account) ?? 0n;
  }

  state(): LedgerState {
    return {
      balances: new Map(this.#balances),
      cumulativeRewards: new Map([...this.#rewards].map(([study, sites]) => [study, new Map(sites)])),
    };
  }

  /** study's cumulative rewards by site (empty when nothing was rewarded yet). */
  cumulativeRewards(studyId: string): ReadonlyMap<string, bigint> {
    return new Map(this.#rewards.get(studyId) ?? []);
  }
}

/**
 * Rebuilds the ledger from its entries, re-checking every invariant on the way: an entry that is
 * unbalanced, duplicated or overdraws an account makes the replay throw, so a tampered history is
 * refused rather than silently summed.
 */
export function replay(entries: Iterable<LedgerEntry>): LedgerState {
  const ledger = new Ledger();
  for (const entry of entries) ledger.append(entry);
  return ledger.state();
}

function freezeEntry(entry: LedgerEntry): LedgerEntry {
  return Object.freeze({
    ...entry,
    postings: Object.freeze(entry.postings.map((p) => Object.freeze({ account: p.account, amount: p.amount }))),
    ...(entry.evidence === undefined ? {} : { evidence: deepFreeze(structuredClone(entry.evidence)) }),
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// ——— Entry builders: the only movements the platform makes, each a balanced pair of postings. ———

function positive(amount: bigint, what: string): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n) throw new AppError(ErrorCode.INVALID_INPUT, `${what} must be a bigint > 0, got ${String(amount)}`);
  return amount;
}

function transfer(from: string, to: string, amount: bigint): Posting[] {
  return [
    { account: from, amount: -amount },
    { account: to, amount },
  ];
}

/** Credits enter a site's wallet from outside (the site buys or is granted credits). */
export function deposit(args: { id: string; siteId: string; amount: bigint; memo?: string }): LedgerEntry {
  const amount = positive(args.amount, 'deposit');
  return { id: args.id, kind: 'deposit', studyId: null, siteId: args.siteId, round: null, memo: args.memo ?? 'deposit', postings: transfer(EXTERNAL, accounts.wallet(args.siteId), amount) };
}

/** A sponsor funds a study's reward pool from outside. */
export function fund(args: { id: string; studyId: string; amount: bigint; memo?: string }): LedgerEntry {
  const amount = positive(args.amount, 'funding');
  return { id: args.id, kind: 'fund', studyId: args.studyId, siteId: null, round: null, memo: args.memo ?? 'study funding', postings: transfer(EXTERNAL, accounts.pool(args.studyId), amount) };
}

/** A site locks credits from its wallet as its stake in a study (the price of joining). */
export function stake(args: { id: string; studyId: string; siteId: string; amount: bigint; memo?: string }): LedgerEntry {
  const amount = positive(args.amount, 'stake');
  return {
    id: args.id,
    kind: 'stake',
    studyId: args.studyId,
    siteId: args.siteId,
    round: null,
    memo: args.memo ?? 'stake to join study',
    postings: transfer(accounts.wallet(args.siteId), accounts.stake(args.studyId, args.siteId), amount),
  };
}

/** What is left of a stake goes back to the site's wallet (study over, site in good standing). */
export function release(args: { id: string; studyId: string; siteId: string; amount: bigint; memo?: string }): LedgerEntry {
  const amount = positive(args.amount, 'release');
  return {
    id: args.id,
    kind: 'release',
    studyId: args.studyId,
    siteId: args.siteId,
    round: null,
    memo: args.memo ?? 'stake released',
    postings: transfer(accounts.stake(args.studyId, args.siteId), accounts.wallet(args.siteId), amount),
  };
}

/** A round's reward moves from the study pool to the site's rewards account. */
export function reward(args: { id: string; studyId: string; siteId: string; round: number; amount: bigint; memo?: string }): LedgerEntry {
  const amount = positive(args.amount, 'reward');
  return {
    id: args.id,
    kind: 'reward',
    studyId: args.studyId,
    siteId: args.siteId,
    round: args.round,
    memo: args.memo ?? `reward for round ${args.round}`,
    postings: transfer(accounts.pool(args.studyId), accounts.rewards(args.studyId, args.siteId), amount),
  };
}

/** Confirmed misconduct: part of the site's stake moves to the study's slashed pool, with the evidence. */
export function slash(args: {
  id: string;
  studyId: string;
  siteId: string;
  round: number;
  amount: bigint;
  reason: string;
  evidence: readonly Evidence[];
}): LedgerEntry {
  const amount = positive(args.amount, 'slash');
  return {
    id: args.id,
    kind: 'slash',
    studyId: args.studyId,
    siteId: args.siteId,
    round: args.round,
    memo: args.reason,
    postings: transfer(accounts.stake(args.studyId, args.siteId), accounts.slashed(args.studyId), amount),
    evidence: args.evidence,
  };
}
