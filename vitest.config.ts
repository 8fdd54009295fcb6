import { defineConfig } from 'vitest/config';
import { SOURCE_ALIASES } from './electron.vite.config';

export default defineConfig({
  resolve: { alias: SOURCE_ALIASES },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Generous bounds: they catch a hang, not a slow machine. A test asserts behaviour; speed is
    // measured by `h5blocks bench` and `npm run measure:responsive`, which report figures.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // h5wasm instances and worker pools are heavy: one test file at a time keeps memory and CPU predictable on 2 cores.
    fileParallelism: false,
  },
});
