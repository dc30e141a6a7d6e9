import { syntheticStudySpec } from '@consilium/data/synthetic';
import type { StudyProgress } from '@consilium/demo/orchestrator';
import type { StudySpecInput } from '@consilium/schemas';

/** Training rounds of the fault tests' study: enough to interrupt one in the middle and see the rest through. */
export const TRAINING_ROUNDS = 4;

type FederationInput = NonNullable<StudySpecInput['federation']>;

/**
 * The fault tests' study: the synthetic cohort's logistic regression with federated standardisation
 * under a multiparty CKKS key (every site holds a key share, so decryption needs all of them), cut
 * to TRAINING_ROUNDS rounds; `federation` overrides deadlines and quorum.
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

/**
 * What every successfully finished fault run must look like, whatever was done to it: completed,
 * one model per planned round (versions 1…n, each from a completed round), every site's final
 * evaluation, and no site counted twice in any round. Returns a list of problems (empty when fine)
 * so a test can show them all at once.
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
  for (const round of progress.rounds) {
    for (const [what, ids] of [['submitted', round.submitted], ['decrypted', round.decrypted]] as const) {
      const twice = repeated(ids);
      if (twice.length > 0) problems.push(`round ${round.index} counts ${twice.join(', ')} twice (${what})`);
      const strangers = ids.filter((id) => !round.participants.includes(id));
      if (strangers.length > 0) problems.push(`round ${round.index} has non-participants ${strangers.join(', ')} (${what})`);
    }
    if (round.status === 'complete' && round.decrypted.length !== round.participants.length) {
      problems.push(`round ${round.index} completed with ${round.decrypted.length} of ${round.participants.length} partial decryptions`);
    }
  }
  return problems;
}
