import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeFeatures } from '../feature-encoding.ts';
import { inspectDataset } from '../inspect-dataset.ts';
import { heartDiseaseSchema } from './heart-disease-schema.ts';
import { defaultHeartDiseaseDir } from './hospitals.ts';
import { loadHeartDiseaseHospitals } from './load-heart-disease.ts';

// The real data is not part of the repository; it sits beside it (see its README).
const dir = defaultHeartDiseaseDir();
const available = existsSync(dir);
const title = available ? `the UCI Heart Disease files in ${dir}` : `the UCI Heart Disease files (SKIPPED: not found in ${dir})`;

describe.skipIf(!available)(title, () => {
  it("load with FLamby's usable row counts, 303/261/46/130 (740), and 13 features", async () => {
    const hospitals = await loadHeartDiseaseHospitals(dir);
    expect(hospitals.map((h) => [h.slug, h.dataset.rowCount])).toEqual([
      ['cleveland', 303],
      ['hungarian', 261],
      ['switzerland', 46],
      ['va', 130],
    ]);
    expect(hospitals.reduce((sum, h) => sum + h.dataset.rowCount, 0)).toBe(740);
    for (const h of hospitals) expect(encodeFeatures(heartDiseaseSchema(), h.dataset, null).d).toBe(13);
  });

  it('pass the data check: every value fits the declared ranges and categories', async () => {
    const hospitals = await loadHeartDiseaseHospitals(dir);
    for (const h of hospitals) {
      const report = await inspectDataset(heartDiseaseSchema(), h.path);
      expect(report).toMatchObject({ ok: true, rowsRejected: 0 });
      expect(report.rowsUsable).toBe(h.dataset.rowCount);
    }
  });
});
