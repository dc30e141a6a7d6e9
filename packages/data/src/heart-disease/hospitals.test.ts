import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/temp-files.ts';
import type { TempDir } from '../../test/temp-files.ts';
import { HEART_DISEASE_HOSPITALS, defaultHeartDiseaseDir, locateHeartDiseaseFiles } from './hospitals.ts';

let dir: TempDir;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(() => dir.remove());

describe('HEART_DISEASE_HOSPITALS', () => {
  it('maps the four hospitals, in FLamby order, to their UCI files and names', () => {
    expect(Object.entries(HEART_DISEASE_HOSPITALS).map(([slug, h]) => [slug, h.file])).toEqual([
      ['cleveland', 'processed.cleveland.data'],
      ['hungarian', 'processed.hungarian.data'],
      ['switzerland', 'processed.switzerland.data'],
      ['va', 'processed.va.data'],
    ]);
  });
});

describe('locateHeartDiseaseFiles', () => {
  it('names every missing file and where to get it', async () => {
    await dir.write('processed.cleveland.data', '');
    await dir.write('processed.va.data', '');
    const error = locateHeartDiseaseFiles(dir.path);
    await expect(error).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { missing: ['processed.hungarian.data', 'processed.switzerland.data'] } });
    await expect(error).rejects.toThrow(/missing processed\.hungarian\.data, processed\.switzerland\.data\. Download .*archive\.ics\.uci\.edu/);
  });

  it('returns the four paths in order once all files are there', async () => {
    await dir.write('processed.hungarian.data', '');
    await dir.write('processed.switzerland.data', '');
    const files = await locateHeartDiseaseFiles(dir.path);
    expect(files.map((f) => [f.slug, f.path])).toEqual([
      ['cleveland', `${dir.path}/processed.cleveland.data`],
      ['hungarian', `${dir.path}/processed.hungarian.data`],
      ['switzerland', `${dir.path}/processed.switzerland.data`],
      ['va', `${dir.path}/processed.va.data`],
    ]);
    expect(files[3]?.name).toBe('V.A. Medical Center, Long Beach');
  });

  it('defaults to shared/datasets/heart-disease beside the repository', () => {
    expect(defaultHeartDiseaseDir()).toMatch(/\/shared\/datasets\/heart-disease$/);
    expect(defaultHeartDiseaseDir()).not.toContain('/packages/');
  });
});
