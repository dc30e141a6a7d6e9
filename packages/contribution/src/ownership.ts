/**
 * Ownership of a study's model: each site's share is its cumulative reward over the study's total,
 * expressed in integer units that add up to exactly 100%.
 *
 * Why not floats: 1/3 + 1/3 + 1/3 in floating point, rounded to display precision, need not give
 * 100%, and two machines summing in different orders can disagree in the last digit. A share that is
 * a legal claim on a model must be reproducible bit for bit. So shares are computed with BigInt and
 * the rounding is the largest-remainder (Hamilton) method: everyone gets the floor of their exact
 * quota, and the few units left over go to the largest remainders. The result sums to the total by
 * construction and every share is within one unit of its exact value.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import { replay } from './ledger.ts';
import type { LedgerEntry } from './ledger.ts';

/** 100% in units of 10⁻⁶ percent (the default resolution of a share). */
export const PERCENT_UNITS = 100_000_000n;
/** 100% in basis points, for coarser displays. */
export const BASIS_POINTS = 10_000n;

/**
 * Splits `total` integer units in proportion to `weights` (≥ 0, not all 0) by largest remainder.
 * Ties between equal remainders go to the larger weight, then to the earlier index, so the result
 * depends only on the inputs and their order.
 */
export function apportion(weights: readonly bigint[], total: bigint): bigint[] {
  if (total < 0n) throw new AppError(ErrorCode.INVALID_INPUT, `cannot apportion a negative total ${total}`);
  const sum = weights.reduce((a, w) => {
    if (w < 0n) throw new AppError(ErrorCode.INVALID_INPUT, `weights must be ≥ 0, got ${w}`);
    return a + w;
  }, 0n);
  if (sum === 0n) throw new AppError(ErrorCode.WRONG_STATE, 'nothing to apportion by: every weight is 0');

  const floors = weights.map((w) => (w * total) / sum);
  const remainders = weights.map((w) => (w * total) % sum);
  let leftover = total - floors.reduce((a, f) => a + f, 0n);
  const order = weights
    .map((_, i) => i)
    .sort((a, b) => {
      const byRemainder = remainders[b]! - remainders[a]!;
      if (byRemainder !== 0n) return byRemainder > 0n ? 1 : -1;
      const byWeight = weights[b]! - weights[a]!;
      if (byWeight !== 0n) return byWeight > 0n ? 1 : -1;
      return a - b;
    });
  // leftover < number of weights, since each floor lost less than one unit.
  for (const i of order) {
    if (leftover === 0n) break;
    floors[i]! += 1n;
    leftover -= 1n;
  }
  return floors;
}

export interface OwnershipShare {
  siteId: string;
  /** Cumulative reward, micro-credits. */
  reward: bigint;
  /** Share in units of 1/unitsTotal of the model. All units sum to exactly unitsTotal. */
  units: bigint;
}

export interface OwnershipOptions {
  /** What 100% is, in units. Default PERCENT_UNITS (10⁻⁶ percent); BASIS_POINTS for coarser shares. */
  unitsTotal?: bigint;
  /** Sites to list even if they earned nothing (0 units), e.g. every enrolled site. */
  sites?: Iterable<string>;
}

/**
 * Ownership shares from cumulative rewards, sorted by site id (so ties break the same way wherever
 * this runs). Sites with 0 reward get 0 units. Throws WRONG_STATE while nobody has earned anything:
 * there is no model to own a share of yet.
 */
export function ownershipShares(
  cumulativeRewards: ReadonlyMap<string, bigint> | Iterable<readonly [string, bigint]>,
  options: OwnershipOptions = {},
): OwnershipShare[] {
  const unitsTotal = options.unitsTotal ?? PERCENT_UNITS;
  if (unitsTotal <= 0n) throw new AppError(ErrorCode.INVALID_INPUT, `unitsTotal must be > 0, got ${unitsTotal}`);
  const entries = [...cumulativeRewards].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]![0] === entries[i - 1]![0]) throw new AppError(ErrorCode.INVALID_INPUT, `site ${entries[i]![0]} listed twice`);
  }
  const listed = new Set(entries.map(([siteId]) => siteId));
  for (const siteId of options.sites ?? []) {
    if (!listed.has(siteId)) {
      entries.push([siteId, 0n]);
      listed.add(siteId);
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const units = apportion(
    entries.map(([, reward]) => reward),
    unitsTotal,
  );
  return entries.map(([siteId, reward], i) => ({ siteId, reward, units: units[i]! }));
}

/** The study's ownership shares, recomputed from nothing but the ledger's entries. */
export function ownershipFromLedger(entries: Iterable<LedgerEntry>, studyId: string, options: OwnershipOptions = {}): OwnershipShare[] {
  return ownershipShares(replay(entries).cumulativeRewards.get(studyId) ?? new Map<string, bigint>(), options);
}

/** "12.345678%" for units of 10⁻⁶ percent; exact (string arithmetic on the integer). */
export function formatPercent(units: bigint, unitsTotal: bigint = PERCENT_UNITS): string {
  // Digits after the point: unitsTotal = 100 × 10^d.
  const digits = String(unitsTotal / 100n).length - 1;
  if (100n * 10n ** BigInt(digits) !== unitsTotal)
    throw new AppError(ErrorCode.INVALID_INPUT, `formatPercent needs unitsTotal = 100 × 10^d, got ${unitsTotal}`);
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const scale = 10n ** BigInt(digits);
  const fraction = digits === 0 ? '' : `.${String(abs % scale).padStart(digits, '0')}`;
  return `${sign}${abs / scale}${fraction}%`;
}
