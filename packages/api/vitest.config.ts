import { defineConfig } from 'vitest/config';

/**
 * Tests here open real databases: PGlite (a WASM PostgreSQL) takes seconds to start and migrate
 * when other test workers share the CPU, so tests and hooks get a minute rather than vitest's 5 s.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
