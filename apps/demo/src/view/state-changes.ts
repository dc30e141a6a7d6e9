import type { StudyProgress } from '../orchestrator/index.ts';
import { formatMetric } from '../report/format-numbers.ts';

type Round = StudyProgress['rounds'][number];

/**
 * What changed between two progress reads, one sentence per change (for logs and pipes, where a
 * redrawn table would be noise): sites' key shares, each site's submission and decryption share,
 * rounds changing status, models and their evaluations, the study's status. Sentences come in
 * causal order: what sites did, what the hub made of it, then the rounds it opened.
 */
export function describeChanges(previous: StudyProgress | null, next: StudyProgress): string[] {
  const out: string[] = [];
  const nameOf = (siteId: string) => next.sites.find((s) => s.siteId === siteId)?.name ?? siteId;
  const encrypted = next.spec.privacy.secureAggregation !== 'none';

  for (const site of next.sites) {
    const before = previous?.sites.find((s) => s.siteId === site.siteId);
    if (!before && previous) out.push(`${site.name} joined`);
    if (site.keySharePublished && !before?.keySharePublished) out.push(`${site.name} published its key share`);
  }

  const roundChanges = (round: Round, before: Round | undefined) => {
    const label = `round ${round.index} (${round.kind === 'stats' ? 'statistics' : 'training'})`;
    if (!before) out.push(`${label} opened`);
    for (const siteId of round.submitted) if (!before?.submitted.includes(siteId)) out.push(`${label}: ${nameOf(siteId)} submitted${encrypted ? ' (encrypted)' : ''}`);
    for (const siteId of round.decrypted) if (!before?.decrypted.includes(siteId)) out.push(`${label}: ${nameOf(siteId)} sent its decryption share`);
    if (round.status !== (before?.status ?? 'open'))
      out.push(round.status === 'failed' ? `${label} failed: ${round.failureReason ?? 'no reason given'}` : `${label} ${round.status}`);
  };
  const isNew = (round: Round) => !previous?.rounds.some((r) => r.id === round.id);
  for (const round of next.rounds.filter((r) => !isNew(r))) roundChanges(round, previous?.rounds.find((r) => r.id === round.id));

  for (const model of next.models) {
    const before = previous?.models.find((m) => m.id === model.id);
    if (!before) out.push(`model v${model.version} published`);
    for (const evaluation of model.evaluations) {
      if (before?.evaluations.some((e) => e.siteId === evaluation.siteId)) continue;
      const pooled = model.pooled ? ` (pooled over ${model.evaluations.length} site(s): accuracy ${formatMetric(model.pooled.accuracy)}, loss ${formatMetric(model.pooled.loss)})` : '';
      out.push(`model v${model.version}: ${evaluation.siteName} evaluated it, accuracy ${formatMetric(evaluation.metrics.accuracy)}${pooled}`);
    }
  }

  if (previous?.status !== next.status) {
    out.push(
      next.status === 'failed'
        ? `study failed: ${next.failureReason ?? 'no reason given'}`
        : previous
          ? `study ${previous.status} → ${next.status}`
          : `study ${next.status}`,
    );
  }
  for (const round of next.rounds.filter(isNew)) roundChanges(round, undefined);
  return out;
}
