import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as H5 from 'h5wasm';
import { confineTo, confinementFromEnvironment, guardFileSystem } from './confinement';
import { withConsoleCaptured } from './libraryOutput';

export type H5Wasm = typeof H5.default;
export type H5Module = Awaited<H5Wasm['ready']>;
export type H5File = H5.File;
export type H5Dataset = H5.Dataset;
export type H5Group = H5.Group;

export interface LoadedH5 {
  h5: H5Wasm;
  module: H5Module;
}

let loading: Promise<LoadedH5> | undefined;

/**
 * h5wasm's Node build, loaded once per thread.
 *
 * Its Emscripten glue decides it runs in a browser when `navigator.userAgent`
 * contains `Chrome/`, which is true in Electron's main process, and then throws.
 * Hiding `navigator` while the module initialises avoids that; it is restored after.
 * Everything the module prints goes to libraryOutput.ts, never to the terminal.
 */
export function loadH5(): Promise<LoadedH5> {
  loading ??= withNavigatorHidden(() => withConsoleCaptured(async () => {
    const imported = await import('h5wasm/node');
    const h5 = imported.default;
    const module = await h5.ready;
    // HDF5 errors throw with their stack as text, which errors.ts turns into one line,
    // instead of printing HDF5-DIAG dumps on stderr.
    module.activate_throwing_error_handler();
    module.insert_plugin_search_path(pluginFolder(), 0);
    guardFileSystem(module, pluginFolder());
    confineTo(confinementFromEnvironment());
    return { h5, module };
  }));
  return loading;
}

async function withNavigatorHidden<T>(load: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const hide = descriptor?.configurable === true;
  if (hide) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
  try {
    return await load();
  } finally {
    if (hide && descriptor) Object.defineProperty(globalThis, 'navigator', descriptor);
  }
}

/** The compression filters (blosc, bitshuffle, bzip2, lz4, lzf, zfp, zstd, jpeg) shipped by h5wasm-plugins. */
export function pluginFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('h5wasm-plugins/package.json')), 'plugins');
}

/** h5wasm's object type name ('Dataset', 'Group', 'Datatype', ...), or undefined for null and references. */
export function objectType(entity: unknown): string | undefined {
  return (entity as { type?: string } | null)?.type;
}
