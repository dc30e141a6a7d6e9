import { syntheticStudySpec } from '@consilium/data/synthetic';
import type { StudyProgress } from '@consilium/demo/orchestrator';
import { committeePlan, type StudySpecInput } from '@consilium/schemas';

/** Training rounds of the fault tests' study: enough to interrupt one in the middle and see the rest through. */
export const TRAINING_ROUNDS = 4;

type FederationInput = NonNullable<StudySpecInput['federation']>;

/**
 * The fault tests' study: the synthetic cohort's logistic regression with federated standardisation
 * under a multiparty CKKS key, cut to TRAINING_ROUNDS rounds; `federation` overrides deadlines and
 * quorum. The decryption committee is the default: every site, majority threshold (2-of-3 for the
 * tests' three sites), so each round is decrypted by 2 of them.
 */
export function faultStudySpec(federation: FederationInput = {}): StudySpecInput {
  const spec = syntheticStudySpec();
  return {
    ...spec,
    training: { ...spec.training, rounds: TRAINING_ROUNDS },
    federation: { ...spec.federation, ...federation },
    privacy: { ...spec.privacy, secureAggregation: 'ckks-multiparty' },
  };
}

/** A site's id in the study, by name. */
export function siteIdOf(progress: StudyProgress, name: string): string {
  const site = progress.sites.find((s) => s.name === name);
  if (!site) throw new Error(`Site "${name}" is not in study ${progress.id}`);
  return site.siteId;
}

/** The values that occur more than once (a site counted twice in a round, say). */
export function repeated<T>(items: readonly T[]): T[] {
  return [...new Set(items.filter((item, i) => items.indexOf(item) !== i))];
}

/** Sorted copy, for order-free comparisons. */
export function sorted(items: readonly string[]): string[] {
  return [...items].sort((a, b) => a.localeCompare(b));
}

/** The study's decryption threshold t (committee of every enrolled site unless the spec says otherwise). */
export function thresholdOf(progress: StudyProgress): number {
  return committeePlan(progress.spec, progress.sites.length).threshold;
}

/**
 * What every successfully finished fault run must look like, whatever was done to it: completed,
 * one model per planned round (versions 1…n, each from a completed round), every site's final
 * evaluation, no site counted twice in any round (no update twice, no member decrypting an
 * aggregate twice), and every completed round decrypted by at least t study sites. Returns a list
 * of problems (empty when fine) so a test can show them all at once.
 */
export function problemsOfFinishedStudy(progress: StudyProgress): string[] {
  const problems: string[] = [];
  if (progress.status !== 'completed') problems.push(`study ${progress.status}: ${progress.failureReason ?? ''}`);
  const versions = progress.models.map((m) => m.version);
  const expected = Array.from({ length: TRAINING_ROUNDS }, (_, i) => i + 1);
  if (versions.join() !== expected.join()) problems.push(`model versions ${versions.join(',')} instead of ${expected.join(',')}`);
  for (const model of progress.models) {
    const round = progress.rounds.find((r) => r.id === model.roundId);
    if (round?.status !== 'complete') problems.push(`model v${model.version} comes from round ${round?.index ?? model.roundId} (${round?.status ?? 'missing'})`);
  }
  const final = progress.models.at(-1);
  const evaluated = sorted(final?.evaluations.filter((e) => e.final).map((e) => e.siteName) ?? []);
  const everySite = sorted(progress.sites.map((s) => s.name));
  if (evaluated.join() !== everySite.join()) problems.push(`final model evaluated by [${evaluated.join(', ')}], not by every site`);
  const threshold = thresholdOf(progress);
  const members = progress.sites.map((s) => s.siteId);
  for (const round of progress.rounds) {
    // Decryptors are committee members, whether or not they submitted to the round.
    for (const [what, ids, allowed] of [['submitted', round.submitted, round.participants], ['decrypted', round.decrypted, members]] as const) {
      const twice = repeated(ids);
      if (twice.length > 0) problems.push(`round ${round.index} counts ${twice.join(', ')} twice (${what})`);
      const strangers = ids.filter((id) => !allowed.includes(id));
      if (strangers.length > 0) problems.push(`round ${round.index} has strangers ${strangers.join(', ')} (${what})`);
    }
    if (round.status === 'complete' && round.decrypted.length < threshold) {
      problems.push(`round ${round.index} completed with ${round.decrypted.length} partial decryptions; the threshold is ${threshold}`);
    }
  }
  return problems;
}
