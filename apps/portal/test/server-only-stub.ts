// Stands in for the `server-only` marker module under vitest (Next provides the real one).
export {};
