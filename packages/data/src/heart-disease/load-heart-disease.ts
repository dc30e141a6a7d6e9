import { loadDataset } from '../load-dataset.ts';
import type { LocalDataset } from '../local-dataset.ts';
import { heartDiseaseSchema } from './heart-disease-schema.ts';
import { defaultHeartDiseaseDir, locateHeartDiseaseFiles } from './hospitals.ts';
import type { HeartDiseaseFile } from './hospitals.ts';

/** One hospital's usable rows. */
export interface HeartDiseaseHospital extends HeartDiseaseFile {
  dataset: LocalDataset;
}

/** Locates and loads the four hospitals' files with `heartDiseaseSchema()` (740 usable rows in all). */
export async function loadHeartDiseaseHospitals(dir: string = defaultHeartDiseaseDir()): Promise<HeartDiseaseHospital[]> {
  const schema = heartDiseaseSchema();
  const files = await locateHeartDiseaseFiles(dir);
  return Promise.all(files.map(async (file) => ({ ...file, dataset: await loadDataset(schema, file.path) })));
}
