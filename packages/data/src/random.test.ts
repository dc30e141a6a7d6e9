import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, shuffleInPlace } from './random.ts';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRandom(seed).next);
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws uniforms in [0, 1), integers in [0, n) and roughly standard normals', () => {
    const random = createRandom(1);
    const uniforms = Array.from({ length: 10_000 }, random.next);
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    const ints = new Set(Array.from({ length: 1000 }, () => random.int(3)));
    expect([...ints].sort()).toEqual([0, 1, 2]);
    const normals = Array.from({ length: 20_000 }, random.normal);
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('rejects seeds that are not integers in [0, 2^32)', () => {
    expect(() => createRandom(-1)).toThrow(/seed/);
    expect(() => createRandom(1.5)).toThrow(/seed/);
    expect(() => createRandom(2 ** 32)).toThrow(/seed/);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, reproducible seeds per stream', () => {
    const seeds = [0, 1, 2, 3].map((k) => deriveSeed(42, k));
    expect(new Set(seeds).size).toBe(4);
    expect(deriveSeed(42, 2)).toBe(seeds[2]);
    expect(deriveSeed(43, 0)).not.toBe(seeds[0]);
  });
});

describe('shuffleInPlace', () => {
  it('permutes the items deterministically', () => {
    const a = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRandom(3));
    const b = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRandom(3));
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
