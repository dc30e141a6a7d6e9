import type { RouterOutputs } from '@consilium/api';

/** Everything the hub reports about a study (`studies.progress`): sites, rounds, models, evaluations. */
export type StudyProgress = RouterOutputs['studies']['progress'];
export type RoundProgress = StudyProgress['rounds'][number];
export type ModelProgress = StudyProgress['models'][number];

/** The newest global model, if any. */
export function latestModel(progress: StudyProgress): ModelProgress | undefined {
  return progress.models.at(-1);
}

/** Sites that have not yet evaluated the newest model (by name). */
export function sitesMissingFinalEvaluation(progress: StudyProgress): string[] {
  const model = latestModel(progress);
  const evaluated = new Set(model?.evaluations.map((e) => e.siteId) ?? []);
  return progress.sites.filter((s) => !evaluated.has(s.siteId)).map((s) => s.name);
}

/**
 * Whether there is nothing more to wait for: the study failed, or it completed and every site has
 * evaluated the final model (the hub completes a study with its last round; the sites' evaluations
 * of the final model arrive just after).
 */
export function isStudyFinished(progress: StudyProgress, options: { awaitFinalEvaluations: boolean }): boolean {
  if (progress.status === 'failed') return true;
  if (progress.status !== 'completed') return false;
  return !options.awaitFinalEvaluations || sitesMissingFinalEvaluation(progress).length === 0;
}

/** One line saying where a study stands, for logs and timeout messages. */
export function describeStudyState(progress: StudyProgress): string {
  const planned = progress.spec.training.rounds;
  const parts = [`study ${progress.status}`, `${progress.models.length}/${planned} training rounds done`];
  const current = progress.rounds.at(-1);
  if (current && current.status !== 'complete') {
    const nameOf = (id: string) => progress.sites.find((s) => s.siteId === id)?.name ?? id;
    const waiting = (asked: string[], done: string[]) => asked.filter((id) => !done.includes(id)).map(nameOf);
    // While decrypting, only the t members asked for this attempt are awaited.
    const missing = current.status === 'decrypting' ? waiting(current.decryptors, current.decrypted) : waiting(current.participants, current.submitted);
    parts.push(
      `round ${current.index} (${current.kind}) ${current.status}` + (missing.length > 0 ? `, waiting for ${missing.join(', ')}` : ''),
    );
  }
  if (progress.status === 'completed') {
    const missing = sitesMissingFinalEvaluation(progress);
    if (missing.length > 0) parts.push(`final evaluations missing from ${missing.join(', ')}`);
  }
  if (progress.failureReason) parts.push(`reason: ${progress.failureReason}`);
  return parts.join('; ');
}
