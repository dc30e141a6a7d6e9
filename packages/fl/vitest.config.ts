import { defineConfig } from 'vitest/config';

/**
 * Property-based and CPU-heavy tests (fast-check runs, CKKS, training) share two cores with another
 * test worker under `npm test`: they get a minute rather than vitest's 5 s, so load is not a failure.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
