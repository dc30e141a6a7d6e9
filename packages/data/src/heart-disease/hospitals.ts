import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * The four hospitals of the UCI Heart Disease data, in FLamby's center order (0..3): slug → the
 * UCI file holding its rows → its display name.
 */
export const HEART_DISEASE_HOSPITALS = {
  cleveland: { file: 'processed.cleveland.data', name: 'Cleveland Clinic Foundation' },
  hungarian: { file: 'processed.hungarian.data', name: 'Hungarian Institute of Cardiology, Budapest' },
  switzerland: { file: 'processed.switzerland.data', name: 'University Hospitals Zurich and Basel' },
  va: { file: 'processed.va.data', name: 'V.A. Medical Center, Long Beach' },
} as const;

/** A hospital's key in `HEART_DISEASE_HOSPITALS`. */
export type HeartDiseaseSlug = keyof typeof HEART_DISEASE_HOSPITALS;

/** One hospital's data file, located on disk. */
export interface HeartDiseaseFile {
  slug: HeartDiseaseSlug;
  name: string;
  path: string;
}

const SOURCE = 'https://archive.ics.uci.edu/dataset/45/heart+disease';

/**
 * Where the data is expected when nobody says otherwise: `shared/datasets/heart-disease` beside
 * the repository (the files are never committed into it). Resolved from this file, not the working
 * directory, so tests and tools find it wherever they run.
 */
export function defaultHeartDiseaseDir(): string {
  const repoRoot = resolve(import.meta.dirname, '../../../..');
  return resolve(repoRoot, '../shared/datasets/heart-disease');
}

/**
 * The paths of the four hospitals' files in `dir`, in FLamby's order. Throws INVALID_INPUT naming
 * every file that is missing (and where to get it).
 */
export async function locateHeartDiseaseFiles(dir: string = defaultHeartDiseaseDir()): Promise<HeartDiseaseFile[]> {
  const files = (Object.keys(HEART_DISEASE_HOSPITALS) as HeartDiseaseSlug[]).map((slug) => ({
    slug,
    name: HEART_DISEASE_HOSPITALS[slug].name,
    path: join(dir, HEART_DISEASE_HOSPITALS[slug].file),
  }));
  const missing: string[] = [];
  for (const file of files) {
    try {
      await access(file.path);
    } catch {
      missing.push(HEART_DISEASE_HOSPITALS[file.slug].file);
    }
  }
  if (missing.length > 0)
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `UCI Heart Disease data not found in ${dir}: missing ${missing.join(', ')}. Download the processed.*.data files from ${SOURCE}.`,
      { details: { dir, missing } },
    );
  return files;
}
