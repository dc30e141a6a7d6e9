import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/temp-files.ts';
import type { TempDir } from '../../test/temp-files.ts';
import { encodeFeatures } from '../feature-encoding.ts';
import { globalStatistics, localStatistics } from '../federated-statistics.ts';
import { inspectDataset } from '../inspect-dataset.ts';
import { loadDataset } from '../load-dataset.ts';
import { concatDatasets } from '../local-dataset.ts';
import { splitTrainTest } from '../train-test-split.ts';
import { syntheticCohortSchema } from './cohort-schema.ts';
import { generateSyntheticHospitals, MAX_SYNTHETIC_SITES, writeSyntheticHospitals } from './generate-hospitals.ts';
import type { WrittenHospital } from './generate-hospitals.ts';

const schema = syntheticCohortSchema();
let dir: TempDir;
let written: WrittenHospital[];
beforeAll(async () => {
  dir = await createTempDir();
  written = await writeSyntheticHospitals(dir.path, { seed: 11 });
});
afterAll(() => dir.remove());

describe('generateSyntheticHospitals', () => {
  it('is deterministic for a seed', () => {
    expect(generateSyntheticHospitals({ seed: 3 })).toEqual(generateSyntheticHospitals({ seed: 3 }));
    expect(generateSyntheticHospitals({ seed: 3 })[0]?.csv).not.toBe(generateSyntheticHospitals({ seed: 4 })[0]?.csv);
  });

  it("gives a hospital the same data whatever the number of sites", () => {
    const two = generateSyntheticHospitals({ seed: 5, sites: 2 });
    const all = generateSyntheticHospitals({ seed: 5, sites: MAX_SYNTHETIC_SITES });
    expect(two).toEqual(all.slice(0, 2));
    expect(all).toHaveLength(MAX_SYNTHETIC_SITES);
  });

  it('makes four distinct hospitals of 200 to 700 rows by default, with a header row', () => {
    const hospitals = generateSyntheticHospitals({ seed: 1 });
    expect(hospitals).toHaveLength(4);
    expect(new Set(hospitals.map((h) => h.slug)).size).toBe(4);
    for (const h of hospitals) {
      expect(h.rowCount).toBeGreaterThanOrEqual(200);
      expect(h.rowCount).toBeLessThanOrEqual(700);
      const lines = h.csv.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^record_id,age,sex,/);
      expect(lines).toHaveLength(h.rowCount + 1);
    }
  });

  it('gives the hospitals clearly different event rates', () => {
    const rates = generateSyntheticHospitals({ seed: 1 }).map((h) => h.positives / h.rowCount);
    for (const rate of rates) {
      expect(rate).toBeGreaterThan(0.15);
      expect(rate).toBeLessThan(0.65);
    }
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.2);
  });

  it('rejects a bad seed or number of sites', () => {
    expect(() => generateSyntheticHospitals({ seed: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => generateSyntheticHospitals({ seed: 1, sites: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => generateSyntheticHospitals({ seed: 1, sites: MAX_SYNTHETIC_SITES + 1 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('writeSyntheticHospitals', () => {
  it('writes files that pass the data check, with a few rows dropped for missing values', async () => {
    expect(written.map((w) => w.path)).toEqual(written.map((w) => `${dir.path}/${w.slug}.csv`));
    const reports = await Promise.all(written.map((w) => inspectDataset(schema, w.path)));
    for (const report of reports) {
      expect(report.ok).toBe(true);
      expect(report.warningCount).toBe(0);
      // Profiles leave at most 7% of a hospital's rows incomplete; allow sampling spread on ~300 rows.
      expect(report.rowsDropped / report.rowsRead).toBeLessThan(0.15);
    }
    expect(reports.filter((r) => r.rowsDropped > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('writes data a logistic regression learns to about 0.8 accuracy', async () => {
    const splits = (await Promise.all(written.map((w) => loadDataset(schema, w.path)))).map((d) => splitTrainTest(d, { testFraction: 0.34, seed: 42 }));
    const train = concatDatasets(splits.map((s) => s.train));
    const stats = globalStatistics(schema, localStatistics(schema, train));
    const model = fitLogisticRegression(encodeFeatures(schema, train, stats));
    const accuracy = model.accuracy(encodeFeatures(schema, concatDatasets(splits.map((s) => s.test)), stats));
    expect(accuracy).toBeGreaterThan(0.72);
    expect(accuracy).toBeLessThan(0.88);
  });
});

/** Full-batch gradient descent: enough to show the labels are learnable, not a trainer. */
function fitLogisticRegression(data: ReturnType<typeof encodeFeatures>) {
  const { x, y, n, d } = data;
  const w = new Float64Array(d + 1);
  const score = (xs: Float32Array, i: number) => {
    let z = w[d]!;
    for (let j = 0; j < d; j++) z += w[j]! * xs[i * d + j]!;
    return z;
  };
  for (let epoch = 0; epoch < 300; epoch++) {
    const gradient = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) {
      const error = 1 / (1 + Math.exp(-score(x, i))) - y[i]!;
      for (let j = 0; j < d; j++) gradient[j]! += error * x[i * d + j]!;
      gradient[d]! += error;
    }
    for (let j = 0; j <= d; j++) w[j]! -= (0.5 * gradient[j]!) / n;
  }
  return {
    accuracy: (test: ReturnType<typeof encodeFeatures>) => {
      let correct = 0;
      for (let i = 0; i < test.n; i++) if ((score(test.x, i) > 0 ? 1 : 0) === test.y[i]) correct++;
      return correct / test.n;
    },
  };
}
