import { calibrateNoiseMultiplier, gaussianEpsilon } from '@consilium/dp';
import { AppError } from '@consilium/errors';
import { createRng } from '@consilium/random';
import { TrainingConfig } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { withDifferentialPrivacy } from './differential-privacy.ts';
import { FedAvg } from './fedavg.ts';
import type { InMemorySite } from './in-memory.ts';
import { runInMemoryFederation } from './in-memory.ts';
import type { Strategy } from './types.ts';

/** A site whose "training" moves every parameter by `step` from the global model and reports loss |step|. */
function steppingSite(id: string, numExamples: number, step: number): InMemorySite {
  return { id, train: (global) => ({ parameters: global.map((v) => v + step), numExamples, trainLoss: Math.abs(step) }) };
}

const base = {
  initialParameters: Float32Array.of(0, 10),
  config: TrainingConfig.parse({ rounds: 3 }),
  totalSamples: 400,
  maxAbsParameter: 64,
  minReplies: 2,
};

describe('withDifferentialPrivacy', () => {
  it('aggregates exactly as the wrapped strategy when σ = 0 and C = ∞', async () => {
    // Prepare
    const sites = [steppingSite('a', 123, 0.7), steppingSite('b', 277, -1.9)];
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: Infinity, noiseMultiplier: 0, minContributors: 2 });

    // Execute
    const plain = await runInMemoryFederation({ ...base, sites, strategy: new FedAvg() });
    const wrapped = await runInMemoryFederation({ ...base, sites, strategy: dp });

    // Assert: bit for bit, round by round.
    expect(wrapped.rounds.map((r) => r.result)).toEqual(plain.rounds.map((r) => r.result));
    expect(wrapped.parameters).toEqual(plain.parameters);
    expect(dp.name).toBe('dp(fedavg)');
    expect(dp.epsilon()).toBe(Infinity);
  });

  it('clips each site’s [Δθ, λ·loss] to C before averaging, with λ = C/10', async () => {
    // Prepare: P = 2; step 3 gives ‖[3, 3, 0.3]‖ = √18.09; step 0.1 is within C = 1.
    const sites = [steppingSite('a', 200, 3), steppingSite('b', 200, 0.1)];
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 0, minContributors: 2 });

    // Execute
    const run = await runInMemoryFederation({ ...base, config: { ...base.config, rounds: 1 }, sites, strategy: dp });
    const encoded = dp.encodeUpdate(
      { parameters: Float32Array.of(3, 13), numExamples: 200, trainLoss: 3 },
      { totalSamples: 400, maxAbsParameter: 64, globalParameters: Float32Array.of(0, 10) },
    );

    // Assert: site a moves (and reports its loss) scaled by 1/√18.09, b unchanged; equal weights.
    const scale = 1 / Math.sqrt(18.09);
    const step = (3 * scale + 0.1) / 2;
    expect(run.parameters[0]).toBeCloseTo(step, 6);
    expect(run.parameters[1]).toBeCloseTo(10 + step, 5);
    expect(run.rounds[0]!.result!.trainLoss).toBeCloseTo(step, 6);
    expect(encoded.l2Clip!.norm).toBeCloseTo(Math.sqrt(18.09), 6);
    expect(encoded.l2Clip!.scale).toBeCloseTo(scale, 6);
    // The loss slot carries w·λ·loss, the quantity whose sensitivity is accounted.
    expect(encoded.vector[3]).toBeCloseTo(0.5 * 0.1 * 3 * scale, 6);
  });

  it('bounds what one site changes in the encoded vector by w·C, float32 rounding included', () => {
    // Prepare: the neighbouring update is the site contributing no change and no loss.
    const rng = createRng(11);
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 0.37, noiseMultiplier: 0, minContributors: 1 });
    for (let trial = 0; trial < 200; trial++) {
      const global = Float32Array.from({ length: 40 }, () => (rng() - 0.5) * 100);
      const parameters = global.map((v) => v + (rng() - 0.5) * 10 ** (trial % 4 - 2));
      const context = { totalSamples: 1000, maxAbsParameter: 64, globalParameters: global };

      // Execute
      const site = dp.encodeUpdate({ parameters, numExamples: 700, trainLoss: rng() }, context).vector;
      const none = dp.encodeUpdate({ parameters: global.slice(), numExamples: 700, trainLoss: 0 }, context).vector;

      // Assert
      let sq = 0;
      for (let i = 0; i < site.length; i++) sq += (site[i]! - none[i]!) ** 2;
      expect(Math.sqrt(sq)).toBeLessThanOrEqual(0.7 * 0.37);
    }
  });

  it('adds noise of standard deviation σ·C to each private entry of the sum, none to the weight', async () => {
    // Prepare: 3000 parameters, four sites that do not move the model, so the new model is pure noise.
    const count = 3000;
    const still = (id: string): InMemorySite => ({ id, train: (global) => ({ parameters: global, numExamples: 100, trainLoss: 0 }) });
    const sites = ['a', 'b', 'c', 'd'].map(still);
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 0.5, noiseMultiplier: 2, minContributors: 4 });

    // Execute
    const run = await runInMemoryFederation({
      ...base,
      initialParameters: new Float32Array(count),
      config: { ...base.config, rounds: 1 },
      sites,
      strategy: dp,
    });

    // Assert: Σw = 1 exactly, so the model's entries are N(0, 1²); the variance estimate's standard
    // error is √(2/3000) ≈ 2.6 %.
    const result = run.rounds[0]!.result!;
    const values = Array.from(run.parameters);
    const mean = values.reduce((a, b) => a + b, 0) / count;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1);
    expect(result.totalWeight).toBeCloseTo(1, 12);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
    expect(result.trainLoss).not.toBe(0);
  });

  it('records ε after every round, and counts an under-filled round as less noise', async () => {
    // Prepare
    const sigma = 3;
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 1, noiseMultiplier: sigma, minContributors: 2, delta: 1e-6 });
    const seen: number[] = [];

    // Execute
    await runInMemoryFederation({
      ...base,
      sites: [steppingSite('a', 200, 0.1), steppingSite('b', 200, 0.2)],
      strategy: dp,
      onRound: () => void seen.push(dp.epsilon()),
    });
    dp.aggregate({ sum: Float64Array.of(0, 0, 64, 0), replies: [{ ok: true, siteId: 'a' }], minReplies: 2, maxAbsParameter: 64 });

    // Assert
    expect(seen).toEqual([1, 2, 3].map((rounds) => gaussianEpsilon({ noiseMultiplier: sigma, rounds, delta: 1e-6 })));
    expect(dp.ledger.map((entry) => entry.contributors)).toEqual([2, 2, 2, 1]);
    expect(dp.ledger[3]!.noiseMultiplier).toBeCloseTo(sigma / Math.SQRT2, 12);
    expect(dp.ledger[3]!.epsilon).toBeGreaterThan(seen[2]!);
  });

  it('stops the federation with a clear message once the budget would be exceeded', async () => {
    // Prepare: σ calibrated for ε = 2 over 3 rounds, but 5 rounds configured.
    const noiseMultiplier = calibrateNoiseMultiplier({ epsilon: 2, delta: 1e-5, rounds: 3 });
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 1, noiseMultiplier, minContributors: 2, epsilon: 2 });

    // Execute
    const run = await runInMemoryFederation({
      ...base,
      config: { ...base.config, rounds: 5 },
      sites: [steppingSite('a', 200, 0.1), steppingSite('b', 200, 0.2)],
      strategy: dp,
    });

    // Assert
    expect(run.rounds).toHaveLength(3);
    expect(run.stoppedEarly).toMatch(/^privacy budget exhausted: ε spent 1\.99 of 2 after 3 rounds$/);
    expect(() => dp.configureRound(3, base.config)).toThrow(/privacy budget exhausted/);
  });

  it('refuses what it cannot protect', () => {
    // Prepare
    const fedAvg = new FedAvg();
    const opaque: Strategy = {
      name: 'opaque',
      vectorLength: (count) => fedAvg.vectorLength(count),
      configureRound: (roundIndex, config) => fedAvg.configureRound(roundIndex, config),
      encodeUpdate: (update, context) => fedAvg.encodeUpdate(update, context),
      aggregate: (input) => fedAvg.aggregate(input),
    };
    const dp = withDifferentialPrivacy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, minContributors: 2 });
    const update = { parameters: Float32Array.of(1), numExamples: 1, trainLoss: 0 };

    // Execute / Assert
    expect(() => withDifferentialPrivacy(opaque, { clipNorm: 1, noiseMultiplier: 1, minContributors: 2 })).toThrow(/public entries/);
    expect(() => withDifferentialPrivacy(new FedAvg(), { clipNorm: Infinity, noiseMultiplier: 1, minContributors: 2 })).toThrow(/finite clipNorm/);
    expect(() => withDifferentialPrivacy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, minContributors: 0 })).toThrow(AppError);
    expect(() => dp.encodeUpdate(update, { totalSamples: 1, maxAbsParameter: 64 })).toThrow(/global parameters/);
    expect(() => dp.encodeUpdate(update, { totalSamples: 1, maxAbsParameter: 64, globalParameters: Float32Array.of(0, 0) })).toThrow(/parameters/);
    expect(() => dp.encodeUpdate({ ...update, parameters: Float32Array.of(NaN) }, { totalSamples: 1, maxAbsParameter: 64, globalParameters: Float32Array.of(0) })).toThrow(/non-finite/);
  });
});
