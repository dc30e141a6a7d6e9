import { sitesMissingFinalEvaluation, type ConsortiumStage, type StudyProgress } from '../orchestrator/index.ts';

const STAGES: Record<ConsortiumStage, string> = {
  'starting-hub': 'Starting the hub…',
  'creating-study': 'Creating the study and inviting the sites…',
  'enrolling-sites': 'Starting the site agents and enrolling them…',
  running: 'Waiting for the hub…',
  stopping: 'Stopping the hub and the agents…',
};

/** One line saying what the study is doing now, in words a study lead would use. */
export function describePhase(progress: StudyProgress | null, stage: ConsortiumStage): string {
  // Once the study is over, its outcome says more than "stopping".
  if (progress === null || (stage === 'stopping' && progress.status !== 'completed' && progress.status !== 'failed')) return STAGES[stage];
  const sites = progress.sites.length;
  switch (progress.status) {
    case 'enrolling':
      return `Enrolling: ${sites} site(s) have joined`;
    case 'keygen': {
      const published = progress.sites.filter((s) => s.keySharePublished).length;
      return `Key ceremony: ${published}/${sites} sites have published their share of the collective key`;
    }
    case 'running': {
      const round = progress.rounds.at(-1);
      if (!round) return 'Running: opening the first round';
      const what = round.kind === 'stats' ? 'statistics round (federated standardisation)' : `training round ${round.index} of ${progress.spec.training.rounds}`;
      return `Running ${what}: ${round.status}`;
    }
    case 'completed': {
      const missing = sitesMissingFinalEvaluation(progress);
      return missing.length === 0 ? 'Completed: every site has evaluated the final model' : `Completed: waiting for the final evaluations of ${missing.join(', ')}`;
    }
    case 'failed':
      return `FAILED: ${progress.failureReason ?? 'no reason given'}`;
    case 'stopped':
      return `Stopped: ${progress.stopReason ?? 'no reason given'}`;
  }
}
