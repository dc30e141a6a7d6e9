import {
  concatDatasets,
  encodeFeatures,
  globalStatistics,
  localStatistics,
  splitTrainTest,
  type EncodedFeatures,
  type GlobalStatistics,
  type LocalDataset,
} from '@consilium/data';
import { loadHeartDiseaseHospitals } from '@consilium/data/heart-disease';
import type { StudySpec } from '@consilium/schemas';

/** One hospital's rows split exactly as its agent splits them (same function, seed and fraction). */
export interface HospitalSplit {
  slug: string;
  name: string;
  path: string;
  train: LocalDataset;
  test: LocalDataset;
}

export async function loadHospitalSplits(dir: string, spec: StudySpec): Promise<HospitalSplit[]> {
  const hospitals = await loadHeartDiseaseHospitals(dir);
  return hospitals.map((h) => ({
    slug: h.slug,
    name: h.name,
    path: h.path,
    ...splitTrainTest(h.dataset, { testFraction: spec.training.testFraction, seed: spec.training.seed }),
  }));
}

/** Statistics computed in the clear from some training sets (what the encrypted round computes in the federation). */
export function statisticsOf(spec: StudySpec, datasets: LocalDataset[]): GlobalStatistics {
  const layout = localStatistics(spec.data, datasets[0]!).length;
  const sum = new Float64Array(layout);
  for (const d of datasets) localStatistics(spec.data, d).forEach((v, i) => (sum[i] = sum[i]! + v));
  return globalStatistics(spec.data, sum);
}

/** The test sets a method is scored on: each hospital's, and all of them pooled. */
export function testSets(spec: StudySpec, hospitals: HospitalSplit[], stats: GlobalStatistics | null): Array<{ key: string; data: EncodedFeatures }> {
  const standardise = spec.preprocessing.standardize === 'federated' ? stats : null;
  return [
    ...hospitals.map((h) => ({ key: h.slug, data: encodeFeatures(spec.data, h.test, standardise) })),
    { key: 'pooled', data: encodeFeatures(spec.data, concatDatasets(hospitals.map((h) => h.test)), standardise) },
  ];
}
