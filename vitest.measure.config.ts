import { defineConfig } from 'vitest/config';

// Measurements with targets the project does not meet yet (see README, Known limits):
// run on demand with `npm run measure:responsive`, not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
