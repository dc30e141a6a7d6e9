import { evaluateModel } from '@consilium/fl/train';
import type { EncodedFeatures } from '@consilium/data';

/** Accuracy, loss and AUC of one model on every test set, keyed by test set. */
export type Scores = Record<string, { accuracy: number; loss: number; auc: number | null; n: number }>;

export function scoreModel(model: Parameters<typeof evaluateModel>[0], sets: Array<{ key: string; data: EncodedFeatures }>, threshold: number): Scores {
  const scores: Scores = {};
  for (const { key, data } of sets) {
    const m = evaluateModel(model, data.x, data.y, data.n, data.d, threshold);
    scores[key] = { accuracy: m.accuracy, loss: m.loss, auc: m.auc, n: m.n };
  }
  return scores;
}
