import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadDataset, type LocalDataset } from '@consilium/data';
import { syntheticStudySpec, writeSyntheticHospitals } from '@consilium/data/synthetic';
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import { parseStudySpec, type StudySpec } from '@consilium/schemas';
import type { LocalSite } from '../orchestrator/index.ts';

/** The study the demo runs and each site's validated data. */
export interface StudyInputs {
  spec: StudySpec;
  sites: LocalSite[];
  /** Each site's rows, by site name (the centralized baseline pools them). */
  datasets: Map<string, LocalDataset>;
  synthetic: boolean;
}

/** The seed of the demo's synthetic hospitals: the same data on every run. */
export const SYNTHETIC_SEED = 20240611;

/**
 * The synthetic four-hospital study, with its data written to `dataDir`; with `plaintext`, the
 * same study without secure aggregation.
 */
export async function syntheticInputs(dataDir: string, options: { plaintext: boolean }): Promise<StudyInputs> {
  const hospitals = await writeSyntheticHospitals(dataDir, { seed: SYNTHETIC_SEED });
  const spec = withPrivacy(parseStudySpec(syntheticStudySpec()), options.plaintext);
  const sites = hospitals.map((h) => ({ name: h.name, dataPath: h.path }));
  return { spec, sites, datasets: await loadSiteData(spec, sites), synthetic: true };
}

/**
 * A user's study spec and site files, checked before anything starts: the spec against the
 * schema, each file against the spec's data schema. Errors name the file and what is wrong.
 */
export async function userInputs(studyPath: string, sites: readonly LocalSite[], options: { plaintext: boolean }): Promise<StudyInputs> {
  const spec = withPrivacy(await readStudySpec(studyPath), options.plaintext);
  const resolved = sites.map((s) => ({ name: s.name, dataPath: path.resolve(s.dataPath) }));
  return { spec, sites: resolved, datasets: await loadSiteData(spec, resolved), synthetic: false };
}

/** Reads and validates a study spec file. */
export async function readStudySpec(file: string): Promise<StudySpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot read the study spec ${file}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseStudySpec(json);
  } catch (error) {
    // parseStudySpec names the field; say which file it is in.
    throw new AppError(ErrorCode.INVALID_INPUT, `${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The spec with secure aggregation switched off when asked (benchmarks compare the two). */
export function withPrivacy(spec: StudySpec, plaintext: boolean): StudySpec {
  if (!plaintext) return spec;
  return { ...spec, privacy: { ...spec.privacy, secureAggregation: 'none' } };
}

async function loadSiteData(spec: StudySpec, sites: readonly LocalSite[]): Promise<Map<string, LocalDataset>> {
  const datasets = new Map<string, LocalDataset>();
  for (const site of sites) {
    try {
      await access(site.dataPath);
    } catch {
      throw new AppError(ErrorCode.INVALID_INPUT, `Site "${site.name}": the data file ${site.dataPath} does not exist or cannot be read`);
    }
    try {
      datasets.set(site.name, await loadDataset(spec.data, site.dataPath));
    } catch (error) {
      throw new AppError(ErrorCode.INVALID_DATA, `Site "${site.name}": ${(error as Error).message}`, { cause: error });
    }
  }
  return datasets;
}
