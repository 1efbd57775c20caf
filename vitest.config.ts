import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The whole-bench test builds a province: `npm run test:bench`; high-availability tests start
    // their own clusters: `npm run test:ha`.
    exclude: [...configDefaults.exclude, 'test/bench/**', 'test/ha/**'],
    // Integration tests run real transactions, queues and child processes.
    // Hang guards, not measurements: generous for a loaded two-core machine (waits inside tests use PATIENCE_MS).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two cores: more parallel files only make every database test slower.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { LOG_LEVEL: 'warn' },
  },
});
