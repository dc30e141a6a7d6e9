/**
 * Binary-classification metrics on plain arrays. No TensorFlow.js, so the hub and the portal can
 * compute or check metrics without loading it.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import type { EvalMetrics } from '@consilium/schemas';

/**
 * Probabilities are clamped to [ε, 1 − ε] before taking logarithms, so one confident mistake gives
 * a large but finite loss. Same ε as Keras (and as the training loss in ./train).
 */
export const PROBABILITY_EPSILON = 1e-7;

/**
 * Accuracy at `threshold` (a prediction is positive when p > threshold, as in Keras), mean binary
 * log loss, ROC AUC and the share of positive labels.
 *
 * AUC is the Mann–Whitney statistic computed from ranks, tied probabilities sharing their average
 * rank (so a tie between a positive and a negative counts one half). It is null when the labels hold
 * only one class, where it is undefined. An empty set gives n = 0 and zeros.
 */
export function binaryMetrics(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): EvalMetrics {
  const n = probabilities.length;
  if (labels.length !== n)
    throw new AppError(ErrorCode.INVALID_INPUT, `binaryMetrics: ${n} probabilities but ${labels.length} labels`);
  if (!(threshold > 0 && threshold < 1))
    throw new AppError(ErrorCode.INVALID_INPUT, `binaryMetrics: threshold must be in (0, 1), got ${threshold}`);
  if (n === 0) return { n: 0, accuracy: 0, loss: 0, auc: null, positiveRate: 0 };

  let correct = 0;
  let lossSum = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    const y = labels[i]!;
    if (!(p >= 0 && p <= 1))
      throw new AppError(ErrorCode.INVALID_INPUT, `binaryMetrics: probability ${i} is ${p}, expected a number in [0, 1]`);
    if (y !== 0 && y !== 1)
      throw new AppError(ErrorCode.INVALID_INPUT, `binaryMetrics: label ${i} is ${y}, expected 0 or 1`);
    const clamped = Math.min(Math.max(p, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
    lossSum -= y === 1 ? Math.log(clamped) : Math.log(1 - clamped);
    if ((p > threshold ? 1 : 0) === y) correct++;
    positives += y;
  }

  return {
    n,
    accuracy: correct / n,
    loss: lossSum / n,
    auc: rocAuc(probabilities, labels, positives),
    positiveRate: positives / n,
  };
}

function rocAuc(probabilities: ArrayLike<number>, labels: ArrayLike<number>, positives: number): number | null {
  const n = probabilities.length;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probabilities[a]! - probabilities[b]!);
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && probabilities[order[end + 1]!] === probabilities[order[start]!]) end++;
    // Ranks are 1-based; every member of a tie group gets the group's mean rank.
    const meanRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (labels[order[k]!] === 1) positiveRankSum += meanRank;
    start = end + 1;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
