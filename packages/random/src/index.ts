/**
 * Seeded pseudo-randomness for everything that must replay identically: train/test splits, weight
 * initialisation, per-epoch shuffling, synthetic data. Math.random is never used there, because two
 * sites (or two runs of one site) given the same seed must make the same choices. Not for
 * cryptography: keys and noise use node:crypto (packages/secagg).
 */
import { AppError, ErrorCode } from '@consilium/errors';

/** A source of uniform floats in [0, 1). */
export type Rng = () => number;

/** Throws INVALID_INPUT unless `seed` is an integer in [0, 2^32). */
export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new AppError(ErrorCode.INVALID_INPUT, `seed must be an integer in [0, 2^32), got ${seed}`);
  }
}

/** mulberry32: tiny, fast and well distributed enough for shuffling, initialisation and simulation. */
export function createRng(seed: number): Rng {
  assertSeed(seed);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes integers into one 32-bit seed (murmur3-style). Parts are hashed rather than added so that,
 * for example, (round 1, epoch 0) and (round 0, epoch 1), or hospitals 0 and 1 of seed 7, get
 * independent streams — and adding a stream never changes another's numbers.
 */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Standard normal (Box–Muller); 1 − rng() is in (0, 1], so the logarithm is finite. */
export function standardNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}
