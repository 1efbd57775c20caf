import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** `npm run test:bench`: the whole-bench test alone, kept out of `npm test`. */
export default defineConfig({ test: { ...base.test, include: ['test/bench/**/*.test.ts'], exclude: [] } });
