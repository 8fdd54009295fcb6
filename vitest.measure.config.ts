import { defineConfig } from 'vitest/config';

// Measurements that take minutes and want the machine to themselves, run on demand
// rather than in `npm test`: `npm run measure:responsive` (its target is not met yet,
// see README, Known limits) and `npm run measure:memory`.
export default defineConfig({
  test: {
    include: ['test/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
