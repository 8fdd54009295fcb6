import { defineConfig } from 'vitest/config';

// Measurements that take minutes and want the machine to themselves, run on demand
// rather than in `npm test` (a test asserts behaviour, not speed):
// `npm run measure:memory` and `npm run measure:responsive` (see README, Benchmark).
export default defineConfig({
  test: {
    include: ['test/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
