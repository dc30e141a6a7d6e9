import { splitTrainTest } from '@consilium/data';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { parseStudySpec } from '@consilium/schemas';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticInputs } from '../inputs/study-inputs.ts';
import { trainCentralizedBaseline } from './centralized-baseline.ts';

describe('trainCentralizedBaseline', () => {
  it('trains on the pooled training rows and evaluates on each site\'s own held-out rows', async () => {
    const inputs = await syntheticInputs(await mkdtemp(path.join(tmpdir(), 'consilium-baseline-')), { plaintext: false });
    const spec = parseStudySpec({ ...syntheticStudySpec(), training: { ...syntheticStudySpec().training, rounds: 3 } });
    const result = await trainCentralizedBaseline(spec, inputs.datasets);

    expect(result.epochs).toBe(3 * spec.training.localEpochs);
    let trainRows = 0;
    for (const [name, dataset] of inputs.datasets) {
      // The agents' split: same fraction, same seed.
      const split = splitTrainTest(dataset, { testFraction: spec.training.testFraction, seed: spec.training.seed });
      trainRows += split.train.rowCount;
      expect(result.sites[name]?.n).toBe(split.test.rowCount);
    }
    expect(result.trainRows).toBe(trainRows);
    expect(result.overall.n).toBe(Object.values(result.sites).reduce((s, m) => s + m.n, 0));
    // The synthetic outcome is learnable: far better than chance, as the federated model is.
    expect(result.overall.accuracy).toBeGreaterThan(0.65);
    expect(result.overall.meanAuc).toBeGreaterThan(0.7);
  }, 60_000);
});
