import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { GlobalStatistics } from '@consilium/data';
import { runLocalConsortium } from '@consilium/demo/orchestrator';
import { modelFromFlatParameters } from '@consilium/fl/train';
import type { StudySpec } from '@consilium/schemas';
import { AppError, ErrorCode } from '@consilium/errors';
import { scoreModel, type Scores } from './evaluate.ts';
import { testSets, type HospitalSplit } from './heart-data.ts';

export interface FederatedResult {
  scores: Scores;
  wallTimeS: number;
  /** Mean time of a training round (opened → model published), seconds. */
  meanTrainRoundS: number;
  /** Mean bytes each site uploaded per training round (update + decryption share). */
  bytesPerSitePerRound: number;
  studyId: string;
}

/**
 * Runs the study for real — one hub and one agent process per hospital over HTTP, the hub's real
 * database — then scores the final global model on every test set with the consortium's statistics.
 */
export async function runFederated(
  spec: StudySpec,
  hospitals: HospitalSplit[],
  options: { workDir: string; databaseUrl?: string | undefined; onRound?: (text: string) => void },
): Promise<FederatedResult> {
  await mkdir(options.workDir, { recursive: true });
  let lastReported = -1;
  const run = await runLocalConsortium({
    spec,
    sites: hospitals.map((h) => ({ name: h.slug, dataPath: h.path })),
    workDir: options.workDir,
    databaseUrl: options.databaseUrl,
    timeoutMs: 30 * 60_000,
    onUpdate: (progress) => {
      const done = progress.models.length;
      if (done !== lastReported) {
        lastReported = done;
        options.onRound?.(`${done}/${spec.training.rounds} rounds`);
      }
    },
  });
  if (run.progress.status !== 'completed' || !run.finalModel) {
    throw new AppError(ErrorCode.INTERNAL, `The federated study did not complete: ${run.progress.failureReason ?? run.progress.status} (logs in ${run.logsDir})`);
  }
  const statistics = run.progress.statistics as GlobalStatistics;
  const sets = testSets(spec, hospitals, statistics);
  const model = modelFromFlatParameters(spec.model, sets[0]!.data.d, run.finalModel.parameters);
  let scores: Scores;
  try {
    scores = scoreModel(model, sets, spec.training.threshold);
  } finally {
    model.dispose();
  }
  const trainRounds = run.roundTimesMs.slice(1).filter((t): t is number => t !== null);
  const perSite = Object.values(run.uploadedBytesPerSitePerRound).map((rounds) => rounds.slice(1));
  const trainUploads = perSite.flat();
  return {
    scores,
    wallTimeS: run.wallMs / 1000,
    meanTrainRoundS: trainRounds.reduce((a, b) => a + b, 0) / Math.max(1, trainRounds.length) / 1000,
    bytesPerSitePerRound: trainUploads.reduce((a, b) => a + b, 0) / Math.max(1, trainUploads.length),
    studyId: run.studyId,
  };
}

/** Where a run keeps its logs (under the bench's work directory). */
export function runDir(root: string, method: string): string {
  return path.join(root, method);
}
