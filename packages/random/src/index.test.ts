import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, permutation, randomInt, shuffleInPlace, standardNormal } from './index.ts';

describe('createRng', () => {
  it('replays the same stream for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(8)).not.toEqual(draw(7));
  });

  it('draws uniforms in [0, 1), integers in [0, n) and roughly standard normals', () => {
    const rng = createRng(1);
    const uniforms = Array.from({ length: 10_000 }, () => rng());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect([...new Set(Array.from({ length: 1000 }, () => randomInt(rng, 3)))].sort()).toEqual([0, 1, 2]);
    const normals = Array.from({ length: 20_000 }, () => standardNormal(rng));
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('rejects seeds that are not integers in [0, 2^32)', () => {
    expect(() => createRng(-1)).toThrow(/seed/);
    expect(() => createRng(1.5)).toThrow(/seed/);
    expect(() => createRng(2 ** 32)).toThrow(/seed/);
  });
});

describe('deriveSeed', () => {
  it('derives distinct, reproducible seeds, so (round 1, epoch 0) ≠ (round 0, epoch 1)', () => {
    expect(deriveSeed(42, 1, 0)).not.toBe(deriveSeed(42, 0, 1));
    expect(deriveSeed(42, 1, 0)).toBe(deriveSeed(42, 1, 0));
    expect(new Set([0, 1, 2, 3].map((k) => deriveSeed(42, k))).size).toBe(4);
  });
});

describe('permutations', () => {
  it('permutation() is a deterministic shuffle of every index', () => {
    const order = permutation(100, createRng(3));
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(permutation(100, createRng(3)))).toEqual(Array.from(order));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('shuffleInPlace() permutes items deterministically', () => {
    const a = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRng(3));
    expect(shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRng(3))).toEqual(a);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
