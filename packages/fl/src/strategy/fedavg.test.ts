import { AppError, ErrorCode } from '@consilium/errors';
import { TrainingConfig } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import { addInto, maxAbs } from '../kernels.ts';
import { createRng } from '@consilium/random';
import { FedAvg } from './fedavg.ts';
import { trainingConfigOf } from './plan.ts';
import type { SiteReply, SiteUpdate } from './types.ts';

const fedAvg = new FedAvg();
const context = { totalSamples: 1000, maxAbsParameter: 64 };
const ok = (siteId: string): SiteReply => ({ ok: true, siteId });

/** What the privacy layer does: sums the encoded vectors of the sites that replied. */
function sumOf(updates: readonly SiteUpdate[]): Float64Array {
  const sum = new Float64Array(fedAvg.vectorLength(updates[0]!.parameters.length));
  for (const update of updates) addInto(sum, fedAvg.encodeUpdate(update, context).vector);
  return sum;
}

describe('FedAvg encoding', () => {
  it('encodes [w·θ, w·M, w·loss] with w = numExamples / totalSamples and M = maxAbsParameter', () => {
    // Prepare
    const update = { parameters: Float32Array.of(1, -2, 4), numExamples: 250, trainLoss: 0.6 };

    // Execute
    const { vector, clipped } = fedAvg.encodeUpdate(update, context);

    // Assert
    expect(fedAvg.vectorLength(3)).toBe(5);
    expect(Array.from(vector)).toEqual([0.25, -0.5, 1, 0.25 * 64, 0.25 * 0.6]);
    expect(clipped).toBe(0);
  });

  it('clips parameters and loss to ±maxAbsParameter, counts them, and keeps every entry in bound', () => {
    // Prepare
    const update = { parameters: Float32Array.of(100, -100, 3), numExamples: 1000, trainLoss: 70 };

    // Execute
    const { vector, clipped } = fedAvg.encodeUpdate(update, context);

    // Assert
    expect(clipped).toBe(3);
    expect(Array.from(vector)).toEqual([64, -64, 3, 64, 64]);
    expect(maxAbs(vector)).toBeLessThanOrEqual(context.maxAbsParameter);
  });

  it('refuses updates that would break the bound or poison the sum', () => {
    // Prepare
    const good = { parameters: Float32Array.of(1), numExamples: 10, trainLoss: 0.5 };

    // Execute / Assert
    expect(() => fedAvg.encodeUpdate({ ...good, parameters: Float32Array.of(NaN) }, context)).toThrow(/diverged/);
    expect(() => fedAvg.encodeUpdate({ ...good, trainLoss: Infinity }, context)).toThrow(AppError);
    expect(() => fedAvg.encodeUpdate({ ...good, numExamples: 1001 }, context)).toThrow(/numExamples/);
    expect(() => fedAvg.encodeUpdate({ ...good, numExamples: 1.5 }, context)).toThrow(AppError);
    expect(() => fedAvg.encodeUpdate(good, { totalSamples: 0, maxAbsParameter: 64 })).toThrow(/totalSamples/);
    try {
      fedAvg.encodeUpdate(good, { totalSamples: 1000, maxAbsParameter: 0.5 });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe(ErrorCode.ENCODING_RANGE);
    }
  });
});

describe('FedAvg aggregation', () => {
  it('recovers the example-weighted mean of parameters and losses from the sum', () => {
    // Prepare: random float32 parameters, uneven site sizes.
    const rng = createRng(5);
    const sizes = [100, 250, 650];
    const updates = sizes.map((numExamples) => ({
      parameters: Float32Array.from({ length: 50 }, () => (rng() - 0.5) * 20),
      numExamples,
      trainLoss: rng(),
    }));

    // Execute
    const result = fedAvg.aggregate({ sum: sumOf(updates), replies: [ok('a'), ok('b'), ok('c')], minReplies: 2, maxAbsParameter: context.maxAbsParameter });

    // Assert: float64 all the way, one rounding to float32 at the end.
    expect(result).not.toBeNull();
    expect(result!.contributors).toBe(3);
    expect(result!.totalWeight).toBeCloseTo(1, 12);
    const expectedLoss = updates.reduce((acc, u) => acc + u.numExamples * u.trainLoss, 0) / 1000;
    expect(Math.abs(result!.trainLoss - expectedLoss)).toBeLessThan(1e-12);
    for (let i = 0; i < 50; i++) {
      const expected = updates.reduce((acc, u) => acc + u.numExamples * u.parameters[i]!, 0) / 1000;
      expect(Math.abs(result!.parameters[i]! - Math.fround(expected))).toBeLessThan(1e-12);
    }
  });

  it('averages exactly over the sites that replied when one dropped out', () => {
    // Prepare: site c failed, so only a and b are in the sum; weights 1/4 and 1/2 of the consortium.
    const updates = [
      { parameters: Float32Array.of(1, 10), numExamples: 250, trainLoss: 0.5 },
      { parameters: Float32Array.of(4, -2), numExamples: 500, trainLoss: 0.2 },
    ];
    const replies: SiteReply[] = [ok('a'), ok('b'), { ok: false, siteId: 'c', reason: 'timeout' }];

    // Execute
    const result = fedAvg.aggregate({ sum: sumOf(updates), replies, minReplies: 2, maxAbsParameter: context.maxAbsParameter });

    // Assert: (1·1 + 2·4) / 3 = 3 and (1·10 + 2·(−2)) / 3 = 2, exactly representable.
    expect(result).toEqual({ parameters: Float32Array.of(3, 2), totalWeight: 0.75, trainLoss: 0.3, contributors: 2 });
  });

  it('declines (null) below minReplies; failures and duplicate replies do not count', () => {
    // Prepare
    const sum = sumOf([{ parameters: Float32Array.of(1), numExamples: 500, trainLoss: 0.1 }]);
    const failed: SiteReply = { ok: false, siteId: 'b', reason: 'crashed' };

    // Execute / Assert
    expect(fedAvg.aggregate({ sum, replies: [ok('a'), failed], minReplies: 2, maxAbsParameter: context.maxAbsParameter })).toBeNull();
    expect(fedAvg.aggregate({ sum, replies: [ok('a'), ok('a')], minReplies: 2, maxAbsParameter: context.maxAbsParameter })).toBeNull();
    expect(fedAvg.aggregate({ sum, replies: [], minReplies: 0, maxAbsParameter: context.maxAbsParameter })).toBeNull();
    expect(fedAvg.aggregate({ sum, replies: [ok('a'), failed], minReplies: 1, maxAbsParameter: context.maxAbsParameter })?.parameters).toEqual(Float32Array.of(1));
  });

  it('declines when no contributor had any rows, and refuses malformed sums', () => {
    // Prepare
    const empty = sumOf([{ parameters: Float32Array.of(1), numExamples: 0, trainLoss: 0.1 }]);
    const replies = [ok('a'), ok('b')];

    // Execute / Assert
    expect(fedAvg.aggregate({ sum: empty, replies, minReplies: 2, maxAbsParameter: context.maxAbsParameter })).toBeNull();
    expect(() => fedAvg.aggregate({ sum: new Float64Array(2), replies, minReplies: 2, maxAbsParameter: context.maxAbsParameter })).toThrow(AppError);
    expect(() => fedAvg.aggregate({ sum: Float64Array.of(NaN, 1, 0), replies, minReplies: 2, maxAbsParameter: context.maxAbsParameter })).toThrow(/non-finite|NaN/);
  });
});

describe('FedAvg round plan', () => {
  it('tells every site the study configuration, which sites read back validated', () => {
    // Prepare
    const base = TrainingConfig.parse({ learningRate: 0.1, seed: 3 });

    // Execute
    const plan = fedAvg.configureRound(4, base);

    // Assert
    expect(plan.roundIndex).toBe(4);
    expect(trainingConfigOf(plan)).toEqual(base);
    expect(plan.config).not.toBe(base);
    expect(() => trainingConfigOf({ roundIndex: 0, config: { ...base, learningRate: -1 } })).toThrow(/learningRate/);
  });
});
