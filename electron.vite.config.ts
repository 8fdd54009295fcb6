import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Every worker is its own entry: piscina loads worker files by path, so they
// cannot be folded into the main bundle.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          blockWorker: resolve(__dirname, 'src/workers/blockWorker.ts'),
          shardWorker: resolve(__dirname, 'src/workers/shardWorker.ts'),
          ioThread: resolve(__dirname, 'src/main/io/ioThreadMain.ts'),
        },
      },
    },
  },
  preload: {
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
      // ECharts (~670 kB) is one lazily loaded chunk, fetched when a chart view first opens.
      chunkSizeWarningLimit: 700,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
