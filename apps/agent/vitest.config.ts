import { defineConfig } from 'vitest/config';

/**
 * Agent tests start real hubs (PGlite takes seconds to start and migrate when other test workers
 * share the CPU), TLS servers and tmux sessions: tests and hooks get a minute rather than vitest's 5 s.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
