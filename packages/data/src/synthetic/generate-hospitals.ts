import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { assertSeed, createRng, deriveSeed, type Rng } from '@consilium/random';
import { HOSPITAL_PROFILES } from './hospital-profiles.ts';
import type { HospitalProfile } from './hospital-profiles.ts';
import { drawPatient } from './patient-model.ts';

/** One synthetic hospital's data file. */
export interface SyntheticHospital {
  name: string;
  slug: string;
  description: string;
  /** The CSV file's text, with a header row. */
  csv: string;
  /** Data rows in `csv`. */
  rowCount: number;
  /** Rows with mace_1y = yes. */
  positives: number;
}

/** Options of `generateSyntheticHospitals`. */
export interface SyntheticOptions {
  /** Same seed, same files. */
  seed: number;
  /** How many hospitals, from the first (default 4, at most the number of profiles). */
  sites?: number;
}

/** A synthetic hospital's file on disk. */
export interface WrittenHospital {
  name: string;
  slug: string;
  path: string;
}

/** The demo's consortium size. */
export const DEFAULT_SYNTHETIC_SITES = 4;

/** How many different synthetic hospitals exist. */
export const MAX_SYNTHETIC_SITES = HOSPITAL_PROFILES.length;

const HEADER = 'record_id,age,sex,bmi,systolic_bp,ldl_cholesterol,hba1c,egfr,smoking,diabetes,chest_pain,resting_ecg,mace_1y';

/**
 * Generates the synthetic hospitals' data (see `syntheticCohortSchema`). Each hospital draws from
 * its own random stream, so its file depends only on the seed and not on how many sites are asked for.
 */
export function generateSyntheticHospitals(options: SyntheticOptions): SyntheticHospital[] {
  const { seed, sites = DEFAULT_SYNTHETIC_SITES } = options;
  assertSeed(seed);
  if (!Number.isInteger(sites) || sites < 1 || sites > MAX_SYNTHETIC_SITES)
    throw new AppError(ErrorCode.INVALID_INPUT, `sites must be an integer from 1 to ${MAX_SYNTHETIC_SITES}, got ${sites}`);
  return HOSPITAL_PROFILES.slice(0, sites).map((profile, index) => generateHospital(profile, createRng(deriveSeed(seed, index))));
}

/** Writes each synthetic hospital's CSV as `<dir>/<slug>.csv` (creating `dir`) and returns the paths. */
export async function writeSyntheticHospitals(dir: string, options: SyntheticOptions): Promise<WrittenHospital[]> {
  const hospitals = generateSyntheticHospitals(options);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    hospitals.map(async ({ name, slug, csv }) => {
      const path = join(dir, `${slug}.csv`);
      await writeFile(path, csv, 'utf8');
      return { name, slug, path };
    }),
  );
}

function generateHospital(profile: HospitalProfile, random: Rng): SyntheticHospital {
  const lines = [HEADER];
  let positives = 0;
  for (let i = 0; i < profile.rows; i++) {
    const patient = drawPatient(profile, random);
    if (patient.mace === 'yes') positives++;
    // Missing completely at random: a test that was not ordered for this patient.
    const orNotMeasured = (column: 'ldl_cholesterol' | 'hba1c', value: number): string =>
      random() < (profile.missing[column] ?? 0) ? profile.missingToken : value.toFixed(1);
    lines.push(
      [
        `${profile.recordPrefix}-${String(i + 1).padStart(5, '0')}`,
        patient.age,
        patient.sex,
        patient.bmi.toFixed(1),
        patient.systolicBp,
        orNotMeasured('ldl_cholesterol', patient.ldlCholesterol),
        orNotMeasured('hba1c', patient.hba1c),
        patient.egfr,
        patient.smoking,
        patient.diabetes,
        patient.chestPain,
        patient.restingEcg,
        patient.mace,
      ].join(','),
    );
  }
  return { name: profile.name, slug: profile.slug, description: profile.description, csv: `${lines.join('\n')}\n`, rowCount: profile.rows, positives };
}
