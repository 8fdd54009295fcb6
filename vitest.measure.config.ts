import { defineConfig } from 'vitest/config';

// Measurements that take minutes and want the machine to themselves, run on demand
// rather than in `npm test`: `npm run measure:memory` (see README, Benchmark).
// The responsiveness figures are assertions in `npm test` (test/e2e-responsive.test.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
