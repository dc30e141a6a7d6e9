/**
 * When flags become confirmed misconduct, and how much of the stake that costs.
 *
 * One statistical flag is not enough to take a hospital's stake: an honest site with an unusual
 * population, or one bad export, can look like an outlier once. Confirmation therefore needs one of:
 *   - proof: evidence that is wrong on its face (evidence.ts PROOF_REASONS: a claim contradicting the
 *     site's own signed declaration, an invalid or replayed ciphertext);
 *   - repetition: flags in at least `minFlaggedRounds` of the last `windowRounds` rounds;
 *   - quorum: enough distinct validators accusing the site within the window.
 * Statistical confirmation slashes less than proof, because it can still be wrong.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import { isProof } from './evidence.ts';
import type { Evidence } from './evidence.ts';

/** A validator site's signed accusation: after cross-checking, it believes `accusedSiteId` misbehaved. */
export interface ValidatorVote {
  validatorId: string;
  accusedSiteId: string;
  round: number;
}

export interface MisconductOptions {
  /** Rounds looked back over, the current one included. Default 5. */
  windowRounds?: number;
  /** Flagged rounds within the window that confirm misconduct. Default 3. */
  minFlaggedRounds?: number;
  /** Fraction of eligible validators whose votes confirm misconduct. Default 2/3. */
  quorum?: number;
}

export interface MisconductInput {
  siteId: string;
  currentRound: number;
  /** All evidence known so far (any site, any round); filtered here. */
  evidence: readonly Evidence[];
  /** Site-signed validator accusations, if the study runs validator cross-checks. */
  votes?: readonly ValidatorVote[];
  /** Number of validators eligible to vote on this site (the accused excluded). */
  eligibleValidators?: number;
  /**
   * Evidence from this round or earlier was already acted on (the round of the last slash): the same
   * flags must not confirm, and slash, twice.
   */
  afterRound?: number;
}

export type MisconductBasis = 'proof' | 'repeated' | 'quorum';

export interface MisconductVerdict {
  confirmed: boolean;
  basis: MisconductBasis | null;
  /** The site's evidence inside the window (what the verdict rests on; attach it to the slash). */
  evidence: Evidence[];
  flaggedRounds: number[];
  votes: number;
}

/** Decides whether a site's recent evidence confirms misconduct. Pure; proof wins over statistics. */
export function confirmMisconduct(input: MisconductInput, options: MisconductOptions = {}): MisconductVerdict {
  const windowRounds = options.windowRounds ?? 5;
  const minFlagged = options.minFlaggedRounds ?? 3;
  const quorum = options.quorum ?? 2 / 3;
  if (!(Number.isInteger(windowRounds) && windowRounds >= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `windowRounds must be a positive integer, got ${windowRounds}`);
  if (!(Number.isInteger(minFlagged) && minFlagged >= 1 && minFlagged <= windowRounds))
    throw new AppError(ErrorCode.INVALID_INPUT, `minFlaggedRounds must be in [1, windowRounds], got ${minFlagged}`);
  if (!(quorum > 0 && quorum <= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `quorum must be in (0, 1], got ${quorum}`);

  const from = Math.max(input.currentRound - windowRounds + 1, (input.afterRound ?? -Infinity) + 1);
  const inWindow = (round: number) => round >= from && round <= input.currentRound;
  const evidence = input.evidence.filter((e) => e.siteId === input.siteId && inWindow(e.round));
  const flaggedRounds = [...new Set(evidence.map((e) => e.round))].sort((a, b) => a - b);
  const voters = new Set(
    (input.votes ?? []).filter((v) => v.accusedSiteId === input.siteId && v.validatorId !== input.siteId && inWindow(v.round)).map((v) => v.validatorId),
  );
  const eligible = input.eligibleValidators ?? 0;

  let basis: MisconductBasis | null = null;
  if (evidence.some(isProof)) basis = 'proof';
  else if (flaggedRounds.length >= minFlagged) basis = 'repeated';
  else if (eligible > 0 && voters.size >= Math.ceil(quorum * eligible - 1e-9)) basis = 'quorum';
  return { confirmed: basis !== null, basis, evidence, flaggedRounds, votes: voters.size };
}

/** Share of the current stake slashed per confirmed case, in basis points (1/100 of a percent). */
export interface SlashPolicy {
  proof: bigint;
  repeated: bigint;
  quorum: bigint;
}

/** Proof costs half the stake; statistical confirmation, which can still be wrong, a fifth. */
export const DEFAULT_SLASH_POLICY: SlashPolicy = { proof: 5000n, repeated: 2000n, quorum: 2000n };

/**
 * The amount to slash: floor(stake × bps / 10000), in the stake's integer micro-units. Rounding down
 * means a site never loses more than the policy says; the slash always fits in the stake.
 */
export function slashAmount(stake: bigint, basisPoints: bigint): bigint {
  if (stake < 0n) throw new AppError(ErrorCode.INVALID_INPUT, `stake must be ≥ 0, got ${stake}`);
  if (basisPoints < 0n || basisPoints > 10_000n) throw new AppError(ErrorCode.INVALID_INPUT, `basis points must be in [0, 10000], got ${basisPoints}`);
  return (stake * basisPoints) / 10_000n;
}
