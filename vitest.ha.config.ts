import { defineConfig } from 'vitest/config';

/**
 * `npm run test:ha`: the product on a 3-node MariaDB Galera cluster and Redis with Sentinel, each
 * started by the test on loopback ports. Kept out of `npm test`: it needs galera-4 and minutes.
 */
export default defineConfig({
  test: {
    include: ['test/ha/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    env: { LOG_LEVEL: 'warn' },
  },
});
