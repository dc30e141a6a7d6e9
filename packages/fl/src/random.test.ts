import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, permutation } from './random.ts';

describe('seeded randomness', () => {
  it('replays the same stream for the same seed and a different one for another seed', () => {
    // Prepare
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng());
    };

    // Execute
    const first = draw(7);
    const again = draw(7);
    const other = draw(8);

    // Assert
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it('derives distinct seeds for swapped parts, so (round 1, epoch 0) ≠ (round 0, epoch 1)', () => {
    // Execute / Assert
    expect(deriveSeed(42, 1, 0)).not.toBe(deriveSeed(42, 0, 1));
    expect(deriveSeed(42, 1, 0)).toBe(deriveSeed(42, 1, 0));
  });

  it('produces a deterministic permutation of every index', () => {
    // Execute
    const order = permutation(100, createRng(3));
    const replay = permutation(100, createRng(3));

    // Assert
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(replay)).toEqual(Array.from(order));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
