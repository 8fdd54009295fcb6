import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // h5wasm instances and worker pools are heavy: one test file at a time keeps memory and CPU predictable on 2 cores.
    fileParallelism: false,
  },
});
