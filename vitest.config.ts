import { defineConfig } from 'vitest/config';

// Integration tests use real ptys, real SQLite files and child processes: give them room and
// keep parallelism modest (the CI machine has 2 cores).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
