/**
 * Consistency checks on what a site signed. Unlike the statistical checks in anomalies.ts these need
 * no other site: a claim that contradicts the site's own signed declaration, or counts that cannot
 * fit inside the encrypted aggregate, are wrong on their face. Honest agent software never produces
 * them, so the evidence they return proves misconduct (evidence.ts, PROOF_REASONS).
 *
 * Untrusted input is answered with evidence, never with an exception: a lying site must not be able
 * to crash the hub's round, and the lie itself is what gets recorded.
 */
import type { SiteDeclaration, StudyLimits, TrainingClaim, ValidationServiceInput } from './components.ts';
import type { SubmissionEvidence } from './evidence.ts';

/**
 * Checks a round's signed claims against the site's enrolment declaration and the study config.
 * Samples above the study's per-site cap are NOT flagged: a big hospital honestly has more rows than
 * the cap credits, and creditedSamples simply cuts them.
 */
export function checkTrainingClaim(
  siteId: string,
  round: number,
  claim: TrainingClaim & Partial<Pick<ValidationServiceInput, 'evaluatedSamples'>>,
  declaration: SiteDeclaration,
  limits: StudyLimits,
): SubmissionEvidence[] {
  const evidence: SubmissionEvidence[] = [];
  const flag = (field: string, claimed: number, limit: number, source: string) =>
    evidence.push({ kind: 'submission', siteId, round, reason: 'claim-exceeds-declared', detail: `${field} ${claimed} exceeds ${source} ${limit}`, claimed, limit });

  for (const [field, value] of [['samples', claim.samples], ['epochs', claim.epochs], ['evaluatedSamples', claim.evaluatedSamples]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      evidence.push({ kind: 'submission', siteId, round, reason: 'malformed-submission', detail: `${field} is not a count: ${value}` });
  }
  if (claim.samples > declaration.datasetSize) flag('samples', claim.samples, declaration.datasetSize, 'the declared dataset size');
  if (claim.epochs > limits.maxEpochs) flag('epochs', claim.epochs, limits.maxEpochs, "the study's maximum");
  if (claim.evaluatedSamples !== undefined && claim.evaluatedSamples > declaration.heldOutSize)
    flag('evaluatedSamples', claim.evaluatedSamples, declaration.heldOutSize, 'the declared held-out size');
  return evidence;
}

/**
 * Checks every site's signed label counts against the encrypted aggregate and the declarations.
 *
 * @param aggregate Encrypted aggregate: the decrypted sum of every site's encrypted label counts.
 * @param siteCounts Site-signed label counts, by site.
 * @param declarations Site-signed enrolment declarations, by site.
 * @param complete True when siteCounts holds every site whose counts went into the aggregate; only
 *   then must the signed counts add up to it exactly.
 *
 * Per site: a count above the consortium total for that label, or counts adding up to more rows
 * than declared, prove the site lied. Consortium-wide: if the signed counts do not add up to the
 * aggregate, some site signed one vector and encrypted another. The sum alone cannot say which
 * (that would need per-site openings), so that evidence carries siteId null: it stops rarity from
 * being paid on those counts until the study is audited.
 */
export function checkLabelCounts(
  round: number,
  aggregate: readonly number[],
  siteCounts: ReadonlyMap<string, readonly number[]>,
  declarations: ReadonlyMap<string, SiteDeclaration>,
  complete: boolean,
): SubmissionEvidence[] {
  const evidence: SubmissionEvidence[] = [];
  const sums = aggregate.map(() => 0);
  for (const [siteId, counts] of siteCounts) {
    if (counts.length !== aggregate.length || counts.some((c) => !(Number.isInteger(c) && c >= 0))) {
      evidence.push({ kind: 'submission', siteId, round, reason: 'malformed-submission', detail: `expected ${aggregate.length} non-negative integer counts, got [${counts.join(', ')}]` });
      continue;
    }
    counts.forEach((c, k) => {
      sums[k]! += c;
      const total = aggregate[k]!;
      if (c > total)
        evidence.push({ kind: 'submission', siteId, round, reason: 'histogram-exceeds-aggregate', detail: `label ${k}: ${c} exceeds the consortium total ${total}`, claimed: c, limit: total });
    });
    const rows = counts.reduce((a, c) => a + c, 0);
    const declared = declarations.get(siteId)?.datasetSize;
    if (declared === undefined || rows > declared)
      evidence.push({ kind: 'submission', siteId, round, reason: 'histogram-exceeds-declared', detail: `label counts add up to ${rows} rows, declared ${declared ?? 'nothing'}`, claimed: rows, ...(declared === undefined ? {} : { limit: declared }) });
  }
  if (complete && sums.some((s, k) => s !== aggregate[k])) {
    evidence.push({ kind: 'submission', siteId: null, round, reason: 'histogram-sum-mismatch', detail: `signed counts add up to [${sums.join(', ')}], the encrypted aggregate is [${aggregate.join(', ')}]` });
  }
  return evidence;
}

/**
 * Evidence for a rejection by the secure-aggregation layer (invalid ciphertext) or the hub's replay
 * guard (the same ciphertext sent twice). Those layers detect; this only puts their finding into the
 * same evidence stream as everything else, so misconduct.ts and the ledger see one format.
 */
export function protocolViolation(
  siteId: string,
  round: number,
  reason: 'invalid-ciphertext' | 'replayed-ciphertext',
  detail: string,
): SubmissionEvidence {
  return { kind: 'submission', siteId, round, reason, detail };
}
