import { AppError } from '@consilium/errors';
import { TrainingConfig } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { FedAvg } from './fedavg.ts';
import type { InMemorySite, RoundRecord } from './in-memory.ts';
import { runInMemoryFederation } from './in-memory.ts';
import type { EncodedUpdate, EncodingContext, SiteUpdate, Strategy } from './types.ts';

const config = TrainingConfig.parse({ rounds: 2 });

/** A site whose "training" moves every parameter to global + step, with a fixed size. */
function steppingSite(id: string, numExamples: number, step: number): InMemorySite {
  return {
    id,
    train: (global) => ({ parameters: global.map((v) => v + step), numExamples, trainLoss: step }),
  };
}

const base = {
  strategy: new FedAvg(),
  initialParameters: Float32Array.of(0, 10),
  config,
  totalSamples: 400,
  maxAbsParameter: 64,
  minReplies: 2,
};

describe('runInMemoryFederation', () => {
  it('moves the global model by the example-weighted mean of the sites’ updates each round', async () => {
    // Prepare: steps 1 and 4 weighted 3:1 average to 1.75 per round.
    const sites = [steppingSite('a', 300, 1), steppingSite('b', 100, 4)];
    const seen: RoundRecord[] = [];

    // Execute
    const run = await runInMemoryFederation({ ...base, sites, onRound: (record) => void seen.push(record) });

    // Assert
    expect(Array.from(run.parameters)).toEqual([3.5, 13.5]);
    expect(run.rounds.map((r) => r.result?.trainLoss)).toEqual([1.75, 1.75]);
    expect(run.rounds[0]!.updateNorm).toBeCloseTo(1.75 * Math.SQRT2, 6);
    expect(seen).toEqual(run.rounds);
  });

  it('turns a site that throws into a failed reply and aggregates the others', async () => {
    // Prepare
    const broken: InMemorySite = {
      id: 'broken',
      train: () => {
        throw new Error('out of memory');
      },
    };
    const sites = [steppingSite('a', 100, 1), broken, steppingSite('b', 100, 3)];

    // Execute
    const run = await runInMemoryFederation({ ...base, sites, config: { ...config, rounds: 1 } });

    // Assert
    expect(run.rounds[0]!.replies).toEqual([
      { ok: true, siteId: 'a' },
      { ok: false, siteId: 'broken', reason: 'out of memory' },
      { ok: true, siteId: 'b' },
    ]);
    expect(run.rounds[0]!.result?.contributors).toBe(2);
    expect(Array.from(run.parameters)).toEqual([2, 12]);
  });

  it('keeps the global model when too few sites reply, and reports the round as not aggregated', async () => {
    // Prepare: the second site's update has the wrong length, which its encoding refuses.
    const wrongShape: InMemorySite = {
      id: 'wrong',
      train: () => ({ parameters: Float32Array.of(1, 2, 3), numExamples: 10, trainLoss: 0 }),
    };
    const sites = [steppingSite('a', 100, 1), wrongShape];

    // Execute
    const run = await runInMemoryFederation({ ...base, sites });

    // Assert
    expect(run.rounds.map((r) => r.result)).toEqual([null, null]);
    expect(run.rounds[0]!.replies[1]).toMatchObject({ ok: false, siteId: 'wrong' });
    expect(run.rounds[0]!.updateNorm).toBe(0);
    expect(Array.from(run.parameters)).toEqual([0, 10]);
  });

  it('runs a strategy wrapped by a privacy layer the strategy knows nothing about', async () => {
    // Prepare: a stand-in for encryption that quantises every entry to a fixed-point grid, as
    // CKKS encoding at scale 2^20 would, and leaves aggregation to the wrapped strategy.
    const inner = new FedAvg();
    const scale = 2 ** 20;
    const quantised: Strategy = {
      name: `quantised(${inner.name})`,
      vectorLength: (count) => inner.vectorLength(count),
      configureRound: (roundIndex, training) => inner.configureRound(roundIndex, training),
      encodeUpdate: (update: SiteUpdate, ctx: EncodingContext): EncodedUpdate => {
        const encoded = inner.encodeUpdate(update, ctx);
        return { ...encoded, vector: encoded.vector.map((v) => Math.round(v * scale) / scale) };
      },
      aggregate: (input) => inner.aggregate(input),
    };
    const sites = [steppingSite('a', 123, 0.1), steppingSite('b', 277, -0.3)];

    // Execute
    const plain = await runInMemoryFederation({ ...base, sites });
    const wrapped = await runInMemoryFederation({ ...base, sites, strategy: quantised });

    // Assert
    for (let i = 0; i < 2; i++) expect(wrapped.parameters[i]!).toBeCloseTo(plain.parameters[i]!, 5);
  });

  it('refuses an empty federation and duplicate site ids', async () => {
    // Execute / Assert
    await expect(runInMemoryFederation({ ...base, sites: [] })).rejects.toThrow(AppError);
    await expect(
      runInMemoryFederation({ ...base, sites: [steppingSite('a', 1, 0), steppingSite('a', 1, 0)] }),
    ).rejects.toThrow(/unique/);
  });
});
