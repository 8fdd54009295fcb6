import { defineConfig } from 'vitest/config';
import { SOURCE_ALIASES } from './electron.vite.config';

// Measurements that take minutes and want the machine to themselves, run on demand
// rather than in `npm test` (a test asserts behaviour, not speed):
// `npm run measure:memory` and `npm run measure:responsive` (see README, Benchmark).
export default defineConfig({
  resolve: { alias: SOURCE_ALIASES },
  test: {
    include: ['test/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
