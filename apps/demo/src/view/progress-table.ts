import type { ConsortiumStage, StudyProgress } from '../orchestrator/index.ts';
import { formatBytes, formatDuration, formatMetric } from '../report/format-numbers.ts';
import { textTable } from '../report/text-table.ts';
import { siteLabels, siteMarks } from './site-labels.ts';
import { describePhase } from './study-phase.ts';

export interface ProgressViewState {
  title: string;
  stage: ConsortiumStage;
  progress: StudyProgress | null;
  /** Since the demo started. */
  elapsedMs: number;
  /** For the duration of rounds still open. */
  now: Date;
}

/**
 * The live view as lines: the study's phase and elapsed time, the sites (with short labels), and
 * one row per round — kind, status, which sites submitted and decrypted, the model it produced and
 * that model's pooled accuracy and loss over the sites' evaluations so far, the bytes of the sites'
 * updates the hub received, and how long the round took.
 */
export function renderProgressView(state: ProgressViewState): string[] {
  const { progress } = state;
  const lines = [`${state.title}   elapsed ${formatDuration(state.elapsedMs)}`, describePhase(progress, state.stage)];
  if (progress === null || progress.sites.length === 0) return lines;

  const labels = siteLabels(progress.sites);
  lines.push('');
  const nameWidth = Math.max(...progress.sites.map((s) => s.name.length));
  const ceremony = progress.status === 'keygen' || progress.status === 'enrolling';
  for (const site of progress.sites) {
    const key = ceremony ? `  key share ${site.keySharePublished ? 'published' : 'pending'}` : '';
    lines.push(`  ${labels.get(site.siteId)}  ${site.name.padEnd(ceremony ? nameWidth : 0)}${key}`);
  }
  if (progress.rounds.length === 0) return lines;

  const rows: string[][] = [['Round', 'Kind', 'Status', 'Submitted', 'Decrypted', 'Model', 'Evals', 'Accuracy', 'Loss', 'Uploaded', 'Time']];
  for (const round of progress.rounds) {
    const model = progress.models.find((m) => m.roundId === round.id);
    const end = round.completedAt === null ? state.now.getTime() : Date.parse(round.completedAt);
    rows.push([
      String(round.index),
      round.kind === 'stats' ? 'stats' : 'train',
      round.status,
      siteMarks(progress.sites, labels, round.participants, round.submitted),
      siteMarks(progress.sites, labels, round.decryptors, round.decrypted),
      model ? `v${model.version}` : '',
      model ? `${model.evaluations.length}/${progress.sites.length}` : '',
      model?.pooled ? formatMetric(model.pooled.accuracy) : '',
      model?.pooled ? formatMetric(model.pooled.loss) : '',
      round.uploadedBytes > 0 ? formatBytes(round.uploadedBytes) : '',
      formatDuration(Math.max(0, end - Date.parse(round.openedAt))),
    ]);
  }
  lines.push('', ...textTable(rows, ['right', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']).lines.map((l) => `  ${l}`));
  const failed = progress.rounds.filter((r) => r.failureReason);
  for (const round of failed) lines.push(`  round ${round.index} failed: ${round.failureReason}`);
  return lines;
}
