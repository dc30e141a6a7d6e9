import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { checkDecryptorSet, checkPoint, checkPointSet, weightByLagrange } from './committee-points.ts';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { addModInto } from './rns.ts';
import type { RnsLevel } from './rns.ts';
import { parseSecretKey } from './serialization.ts';
import { shamirShares } from './shamir.ts';
import { buildShare, parseShare, SHARE_BINDING_BYTES, SHARE_MAGIC, ShareKind } from './share-format.ts';

/**
 * Dealer-free t-of-n threshold keys over the collective key s = Σ s_i of the key ceremony.
 *
 * Every committee member i deals Shamir shares f_i(j) of its own secret share s_i to every member j
 * (sealed to j: protocol's sealBox); member j sums what it receives into S_j = Σ_i f_i(j), a Shamir
 * share of s at point j. Any t members recombine s (weighted by Lagrange coefficients, inside
 * createPartialDecryptor), t − 1 learn nothing, and no one ever holds s. The collective public key
 * stays the ceremony's Σ p0_i: dealing changes who can decrypt, not the key.
 *
 * Resharing to a new committee keeps the key too: t old members each deal λ_i·S_i (its weighted
 * share, which sum to s) to the new points, and the new members combine those as above.
 *
 * Everything lives at the key level (data primes and the special prime), so a recombined secret is a
 * complete SEAL secret key. Honest-but-curious model: nothing proves a dealer's shares consistent.
 */

/** What names one dealing: the caller's 32-byte digest of the ceremony (study, committee, threshold, epoch). */
export interface DealingOptions {
  /** t: how many members' shares recombine the secret (1 ≤ t ≤ points.length). */
  readonly threshold: number;
  /** The recipients' committee points, one share per point in this order. */
  readonly points: readonly number[];
  /** 32 bytes naming the ceremony; carried by every share so shares of other ceremonies are refused. */
  readonly binding: Uint8Array;
}

/** The recipient side of a dealing. */
export interface CombineOptions {
  readonly binding: Uint8Array;
  /** The combining member's own point: every dealt share must have been dealt to it. */
  readonly point: number;
}

/** Resharing a threshold key share to a new committee. */
export interface ReshareOptions extends DealingOptions {
  /** This member's point (the key share's own point). */
  readonly self: number;
  /** The t old points taking part in the resharing, self included. */
  readonly decryptors: readonly number[];
}

/**
 * Shamir shares of this member's secret share s_i (SEAL SecretKey bytes from generateSecretShare),
 * one dealt share per point, in order. Each must reach only its recipient (seal it to them).
 * A threshold key share is refused: reshareKeyShare weights it first, which dealing it as is
 * would skip.
 */
export function dealShamirShares(ctx: CkksContext, secret: Uint8Array, opts: DealingOptions): Uint8Array[] {
  const { keyLevel } = internalsOf(ctx);
  checkDealing(opts);
  if (isShareFormat(secret)) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      'dealShamirShares takes a secret share (SEAL SecretKey bytes); to pass a threshold key share on to a new committee use reshareKeyShare',
    );
  }
  const coefficients = parseSecretKey(secret, keyLevel, 'secret share').coefficients.slice();
  return deal(keyLevel, coefficients, opts);
}

/**
 * Checks one untrusted dealt share: format, parameters (key level), that it names this ceremony and
 * was dealt to `point`. Throws INVALID_CIPHERTEXT.
 */
export function validateDealtShare(ctx: CkksContext, dealt: Uint8Array, opts: CombineOptions): void {
  checkCombine(opts);
  checkDealtShare(internalsOf(ctx).keyLevel, dealt, opts, 'dealt key share');
}

/**
 * This member's threshold key share S_point = Σ_i f_i(point): the sum of every dealer's share
 * (one per dealer: the caller must pass exactly one per member of the dealing committee; a missing
 * dealer goes unnoticed here and leaves a share that does not recombine the key). Each share is
 * validated as in validateDealtShare, and a share given twice is refused. The result never leaves
 * the member; store it as a secret.
 */
export function combineDealtShares(ctx: CkksContext, dealt: readonly Uint8Array[], opts: CombineOptions): Uint8Array {
  const { keyLevel } = internalsOf(ctx);
  checkCombine(opts);
  if (!isArray(dealt) || dealt.length === 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'combineDealtShares needs at least one dealt key share');
  }
  const n = keyLevel.polyModulusDegree;
  const sum = new Uint32Array(2 * keyLevel.primes.length * n);
  const seen = new Map<string, number>();
  dealt.forEach((share, index) => {
    const parsed = checkDealtShare(keyLevel, share, opts, `dealt key share #${index}`);
    const digest = createHash('sha256').update(share).digest('hex');
    const earlier = seen.get(digest);
    if (earlier !== undefined) {
      throw new AppError(ErrorCode.INVALID_INPUT, `dealt key share #${index} duplicates share #${earlier}; each dealer contributes once`, {
        details: { index, duplicateOf: earlier },
      });
    }
    seen.set(digest, index);
    addModInto(sum, sum, parsed, keyLevel.primes, n);
  });
  try {
    return buildShare(ShareKind.thresholdKey, keyLevel, opts.binding, sum, opts.point);
  } finally {
    sum.fill(0);
  }
}

/**
 * Deals this member's weighted share λ_self·S_self (λ over `decryptors`, the t old points taking
 * part) to a new committee: `points`, `threshold` and `binding` name the new dealing, and each new
 * member combines the t dealt shares it receives with combineDealtShares. The joint secret, hence
 * the collective public key, is unchanged. With fewer than the old threshold of old members taking
 * part, the new shares recombine garbage, not the key.
 */
export function reshareKeyShare(ctx: CkksContext, keyShare: Uint8Array, opts: ReshareOptions): Uint8Array[] {
  const { keyLevel } = internalsOf(ctx);
  checkDealing(opts);
  checkDecryptorSet(opts.self, opts.decryptors);
  const share = parseKeyShare(keyLevel, keyShare, opts.self);
  return deal(keyLevel, weightByLagrange(keyLevel, share, opts.self, opts.decryptors), opts);
}

/** The coefficients of a threshold key share, checked to belong to `self`. Throws INVALID_CIPHERTEXT or INVALID_INPUT. */
export function parseKeyShare(keyLevel: RnsLevel, keyShare: Uint8Array, self: number): Uint32Array {
  const parsed = parseShare(keyShare, ShareKind.thresholdKey, keyLevel);
  if (parsed.point !== self) {
    throw new AppError(ErrorCode.INVALID_INPUT, `the threshold key share belongs to point ${parsed.point}, not to self (point ${self})`, {
      details: { sharePoint: parsed.point, self },
    });
  }
  return parsed.coefficients;
}

function deal(keyLevel: RnsLevel, secret: Uint32Array, opts: DealingOptions): Uint8Array[] {
  try {
    const shares = shamirShares(keyLevel, secret, opts.threshold, opts.points);
    return shares.map((share, i) => {
      try {
        return buildShare(ShareKind.dealt, keyLevel, opts.binding, share, opts.points[i]);
      } finally {
        share.fill(0);
      }
    });
  } finally {
    secret.fill(0);
  }
}

function checkDealtShare(keyLevel: RnsLevel, dealt: Uint8Array, opts: CombineOptions, what: string): Uint32Array {
  const parsed = parseShare(dealt, ShareKind.dealt, keyLevel);
  if (!sameBytes(parsed.binding, opts.binding)) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `${what} was dealt in another ceremony (binding differs)`);
  }
  if (parsed.point !== opts.point) {
    throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `${what} was dealt to point ${parsed.point}, not to this member (point ${opts.point})`, {
      details: { dealtTo: parsed.point, point: opts.point },
    });
  }
  return parsed.coefficients;
}

function checkDealing(opts: DealingOptions): void {
  checkBinding(opts.binding);
  checkPointSet(opts.points, 'points');
  const { threshold, points } = opts;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > points.length) {
    throw new AppError(ErrorCode.INVALID_INPUT, `threshold must be an integer from 1 to the ${points.length} points, got ${String(threshold)}`, {
      details: { threshold, points: points.length },
    });
  }
}

function checkCombine(opts: CombineOptions): void {
  checkBinding(opts.binding);
  checkPoint(opts.point, 'point');
}

function checkBinding(binding: Uint8Array): void {
  if (!(binding instanceof Uint8Array) || binding.length !== SHARE_BINDING_BYTES) {
    throw new AppError(ErrorCode.INVALID_INPUT, `the ceremony binding must be ${SHARE_BINDING_BYTES} bytes`, {
      details: { actual: binding instanceof Uint8Array ? binding.length : typeof binding },
    });
  }
}

/** Array.isArray without its narrowing of readonly arrays to any[]. */
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

function isShareFormat(bytes: Uint8Array): boolean {
  return bytes instanceof Uint8Array && SHARE_MAGIC.every((byte, i) => bytes[i] === byte);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
