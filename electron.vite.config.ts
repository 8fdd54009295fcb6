import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { writeLeanH5wasm } from './scripts/lean-h5wasm.mjs';

/**
 * h5web reads arrays through `ndarray` and `ndarray-ops`, which generate code
 * with `new Function`; the Content-Security-Policy forbids eval, so the
 * renderer gets an equivalent without code generation.
 */
export const NDARRAY_WITHOUT_EVAL = [
  { find: /^ndarray$/, replacement: resolve(__dirname, 'src/renderer/src/h5web/ndarray.ts') },
  { find: /^ndarray-ops$/, replacement: resolve(__dirname, 'src/renderer/src/h5web/ndarray.ts') },
];

/**
 * `@shared/…` is src/shared, the types and rules the main process, the workers,
 * the preload and the renderer all use (one import path wherever the importer is).
 */
export const SOURCE_ALIASES = { '@shared': resolve(__dirname, 'src/shared') };

// Every worker is its own entry: piscina loads worker files by path, so they
// cannot be folded into the main bundle.
export default defineConfig({
  main: {
    resolve: { alias: SOURCE_ALIASES },
    plugins: [{
      name: 'lean-h5wasm',
      closeBundle() {
        const why = writeLeanH5wasm(resolve(__dirname, 'out'));
        if (why) this.warn(`h5wasm's own build is used (${why})`);
      },
    }],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          blockWorker: resolve(__dirname, 'src/workers/blockWorker.ts'),
          shardWorker: resolve(__dirname, 'src/workers/shardWorker.ts'),
          ioThread: resolve(__dirname, 'src/main/io/ioThreadMain.ts'),
          hashWorker: resolve(__dirname, 'src/workers/hashWorker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: SOURCE_ALIASES },
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      // electron-vite leaves bundles unminified; the renderer is also served to browsers by `h5blocks serve`.
      minify: true,
      // ECharts (~670 kB) and h5web with three.js (~1.35 MB) are lazily loaded chunks, fetched when their views first open.
      chunkSizeWarningLimit: 1400,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    resolve: { alias: [...NDARRAY_WITHOUT_EVAL, { find: '@shared', replacement: SOURCE_ALIASES['@shared'] }] },
    plugins: [react()],
  },
});
