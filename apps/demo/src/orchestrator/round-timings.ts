import type { StudyProgress } from './study-progress.ts';

/**
 * How long each round took, from the hub's timestamps (opened → completed), indexed by round
 * index (0 is the statistics round). Null for a round that never completed.
 */
export function roundTimesMs(progress: StudyProgress): Array<number | null> {
  const times: Array<number | null> = [];
  for (const round of progress.rounds) {
    times[round.index] = round.completedAt === null ? null : Date.parse(round.completedAt) - Date.parse(round.openedAt);
  }
  // Rounds are numbered without gaps; fill defensively so the array is dense for JSON.
  return Array.from({ length: times.length }, (_, i) => times[i] ?? null);
}
