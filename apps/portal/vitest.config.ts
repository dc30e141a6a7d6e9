import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Next resolves `server-only` itself (its compiled copy); outside Next, an empty module.
    alias: { 'server-only': path.join(import.meta.dirname, 'test', 'server-only-stub.ts') },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    // Some tests build and load a TensorFlow.js model; CI runs several workspaces' tests at once.
    testTimeout: 60_000,
  },
});
