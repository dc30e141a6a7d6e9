import { defineConfig } from 'vitest/config';

/** Benchmarks start hubs and agent processes; their tests set long per-test timeouts, hooks get a minute. */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
