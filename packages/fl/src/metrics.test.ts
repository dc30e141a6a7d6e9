import { AppError } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { binaryMetrics, PROBABILITY_EPSILON } from './metrics.ts';

describe('binaryMetrics', () => {
  it('matches hand-computed accuracy, log loss, AUC and positive rate', () => {
    // Prepare: the classic example whose AUC is 0.75 (3 of 4 positive/negative pairs ordered right).
    const probabilities = [0.1, 0.4, 0.35, 0.8];
    const labels = [0, 0, 1, 1];

    // Execute
    const metrics = binaryMetrics(probabilities, labels, 0.5);

    // Assert
    expect(metrics.n).toBe(4);
    expect(metrics.accuracy).toBe(0.75); // 0.35 is a missed positive
    expect(metrics.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 12);
    expect(metrics.auc).toBeCloseTo(0.75, 12);
    expect(metrics.positiveRate).toBe(0.5);
  });

  it('counts a tie between a positive and a negative as half a correctly ordered pair', () => {
    // Prepare: pairs (pos, neg): (0.5, 0.5) tie = ½, (0.5, 0.2) = 1, (0.8, 0.5) = 1, (0.8, 0.2) = 1.
    const probabilities = Float32Array.of(0.5, 0.5, 0.2, 0.8);
    const labels = Float32Array.of(1, 0, 0, 1);

    // Execute
    const tied = binaryMetrics(probabilities, labels, 0.5);
    const allTied = binaryMetrics([0.3, 0.3, 0.3], [1, 0, 1], 0.5);

    // Assert
    expect(tied.auc).toBeCloseTo(3.5 / 4, 12);
    expect(allTied.auc).toBeCloseTo(0.5, 12);
  });

  it('gives a null AUC when only one class is present', () => {
    // Execute
    const onlyPositives = binaryMetrics([0.2, 0.9], [1, 1], 0.5);
    const onlyNegatives = binaryMetrics([0.2, 0.9], [0, 0], 0.5);

    // Assert
    expect(onlyPositives.auc).toBeNull();
    expect(onlyPositives.positiveRate).toBe(1);
    expect(onlyNegatives.auc).toBeNull();
    expect(onlyNegatives.accuracy).toBe(0.5);
  });

  it('treats p = threshold as negative and clamps probabilities so the loss stays finite', () => {
    // Execute
    const atThreshold = binaryMetrics([0.5], [1], 0.5);
    const confidentMistake = binaryMetrics([0], [1], 0.5);

    // Assert
    expect(atThreshold.accuracy).toBe(0);
    expect(confidentMistake.loss).toBeCloseTo(-Math.log(PROBABILITY_EPSILON), 9);
  });

  it('returns zeros for an empty set and refuses malformed input', () => {
    // Execute / Assert
    expect(binaryMetrics([], [], 0.5)).toEqual({ n: 0, accuracy: 0, loss: 0, auc: null, positiveRate: 0 });
    expect(() => binaryMetrics([0.5], [2], 0.5)).toThrow(AppError);
    expect(() => binaryMetrics([NaN], [1], 0.5)).toThrow(/probability 0/);
    expect(() => binaryMetrics([0.5, 0.5], [1], 0.5)).toThrow(AppError);
    expect(() => binaryMetrics([0.5], [1], 1)).toThrow(/threshold/);
  });
});
