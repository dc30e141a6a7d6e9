/**
 * Evidence: why a site was flagged, in a form that can be stored, shown to the site and re-checked.
 *
 * Every flag carries the numbers that produced it (value, centre, spread, z, threshold) or the signed
 * claim and the limit it broke, so a flag is never just an opinion of the hub: anyone holding the
 * same reports can recompute it. Evidence is plain JSON-able data; the ledger attaches it to slashes.
 */

/** Statistical reasons: a site's reported numbers are implausible next to everyone else's. */
export type MetricReason =
  /** Far from the cross-site median, on the robust (MAD) scale. */
  | 'metric-outlier'
  /** Far from the round's aggregate metric (the consortium value), on the same robust scale. */
  | 'aggregate-disagreement'
  /** Rounds the site took part in improved the global metric less than rounds without it. */
  | 'participation-harm';

/** Protocol reasons: a submission is invalid by construction, whatever the others reported. */
export type SubmissionReason =
  /** A validation report lacks a metric the study requires. */
  | 'missing-metric'
  /** A validation report carries NaN or ±Infinity. */
  | 'non-finite-metric'
  /**
   * A signed per-round claim exceeds a declared bound: samples beyond the site's own signed dataset
   * size, held-out samples beyond its declared held-out size, epochs beyond the study's.
   */
  | 'claim-exceeds-declared'
  /** A signed claim or label-count vector that is not a count (NaN, negative, fractional, wrong length). */
  | 'malformed-submission'
  /** A site's signed label counts exceed the consortium total for a label: impossible if honest. */
  | 'histogram-exceeds-aggregate'
  /** A site's signed label counts add up to more rows than its declared dataset. */
  | 'histogram-exceeds-declared'
  /** The signed label counts do not add up to the encrypted aggregate (someone signed one thing and encrypted another). */
  | 'histogram-sum-mismatch'
  /** The secure-aggregation layer rejected the site's ciphertext (structure, parameters, proof). */
  | 'invalid-ciphertext'
  /** The site re-sent a ciphertext already submitted (same round or an earlier one). */
  | 'replayed-ciphertext';

export interface MetricEvidence {
  kind: 'metric';
  siteId: string;
  round: number;
  reason: MetricReason;
  /** The metric's name ('accuracy', 'loss', …) or 'participation-impact'. */
  metric: string;
  /** What the site reported (or, for participation-harm, its measured impact). */
  value: number;
  /** Cross-site median and (unscaled) MAD of the same metric in the same round. */
  median: number;
  mad: number;
  /** What the value was compared with: the median, or the aggregate metric for aggregate-disagreement. */
  reference: number;
  /**
   * (value − reference) / max(1.4826·MAD, minScale); for aggregate-disagreement the scale also adds
   * |aggregate − median| (see checkValidationReports).
   */
  z: number;
  /** |z| above this was flagged. */
  threshold: number;
}

export interface SubmissionEvidence {
  kind: 'submission';
  /** null when the inconsistency is consortium-wide and cannot be pinned on one site. */
  siteId: string | null;
  round: number;
  reason: SubmissionReason;
  /** Human-readable, names the field and the numbers. */
  detail: string;
  /** The offending claimed value and the limit it broke, when there is one. */
  claimed?: number;
  limit?: number;
}

export type Evidence = MetricEvidence | SubmissionEvidence;

/**
 * Reasons that prove misconduct on their own: the site signed something contradicting its own
 * signed declaration or the encrypted aggregate, or the cryptographic layer rejected its ciphertext.
 * Honest agent software never produces these, so they need no repetition or quorum to be confirmed.
 */
export const PROOF_REASONS: ReadonlySet<SubmissionReason> = new Set<SubmissionReason>([
  'claim-exceeds-declared',
  'malformed-submission',
  'histogram-exceeds-aggregate',
  'histogram-exceeds-declared',
  'invalid-ciphertext',
  'replayed-ciphertext',
]);

/** True for evidence that on its own proves misconduct (see PROOF_REASONS). */
export function isProof(evidence: Evidence): boolean {
  return evidence.kind === 'submission' && PROOF_REASONS.has(evidence.reason);
}
