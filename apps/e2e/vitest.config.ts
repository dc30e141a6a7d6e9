import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests start real processes (hub, agents, `next build`, `next start`, Chromium): long
 * timeouts, one file at a time (they share the portal's .next build directory and the machine's
 * CPU, and the fault tests' deadlines assume the CPU is theirs).
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
