import { AppError, ErrorCode } from '@consilium/errors';

/**
 * A seeded pseudo-random generator. Everything random in this package (splits, synthetic data)
 * draws from one of these so that the same seed gives the same result on every site and machine.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next: () => number;
  /** Uniform integer in [0, n). */
  int: (n: number) => number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal: () => number;
}

/** Throws INVALID_INPUT unless `seed` is an integer in [0, 2^32). */
export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new AppError(ErrorCode.INVALID_INPUT, `seed must be an integer in [0, 2^32), got ${seed}`);
}

/**
 * mulberry32: tiny, fast, and good enough for shuffling and simulation (not for cryptography).
 * Used instead of the built-in generator because results must be reproducible from the seed.
 */
export function createRandom(seed: number): Random {
  assertSeed(seed);
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    // Box–Muller; 1 - next() is in (0, 1], so the logarithm is finite.
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/**
 * Derives an independent seed for sub-stream `stream` of `seed` (e.g. one per hospital), so that
 * adding a stream never changes the numbers another stream draws. Uses murmur3's 32-bit finaliser.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}
