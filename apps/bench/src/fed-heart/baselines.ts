import { concatDatasets, encodeFeatures } from '@consilium/data';
import { trainCentralized } from '@consilium/fl/train';
import type { StudySpec } from '@consilium/schemas';
import { scoreModel, type Scores } from './evaluate.ts';
import { statisticsOf, testSets, type HospitalSplit } from './heart-data.ts';

export interface MethodResult {
  scores: Scores;
  wallTimeS: number;
}

/**
 * Trains on some hospitals' training rows pooled, with the same code path as a site agent
 * (`trainLocal` via `trainCentralized`), for rounds × localEpochs epochs, standardised with those
 * rows' own statistics; scores on every test set.
 */
export async function trainPooled(spec: StudySpec, hospitals: HospitalSplit[], trainOn: HospitalSplit[]): Promise<MethodResult> {
  const started = performance.now();
  const train = concatDatasets(trainOn.map((h) => h.train));
  const stats = statisticsOf(spec, trainOn.map((h) => h.train));
  const encoded = encodeFeatures(spec.data, train, spec.preprocessing.standardize === 'federated' ? stats : null);
  const { model } = await trainCentralized({
    spec: spec.model,
    x: encoded.x,
    y: encoded.y,
    n: encoded.n,
    d: encoded.d,
    config: spec.training,
    epochs: spec.training.rounds * spec.training.localEpochs,
  });
  try {
    const scores = scoreModel(model, testSets(spec, hospitals, stats), spec.training.threshold);
    return { scores, wallTimeS: (performance.now() - started) / 1000 };
  } finally {
    model.dispose();
  }
}
