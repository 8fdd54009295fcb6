import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type * as H5 from 'h5wasm';
import { confineTo, confinementFromEnvironment, guardFileSystem } from './confinement';
import { withConsoleCaptured } from './libraryOutput';
import { epochNow } from '../run/clock';

export type H5Wasm = typeof H5.default;
export type H5Module = Awaited<H5Wasm['ready']>;
export type H5File = H5.File;
export type H5Dataset = H5.Dataset;
export type H5Group = H5.Group;

export interface LoadedH5 {
  h5: H5Wasm;
  module: H5Module;
  /** How this thread's start-up went (epoch ms), for the run's `start` phase. */
  startup: H5Startup;
}

export interface H5Startup {
  /** The import of h5wasm's Node build began (its 4 MB of glue parsed, the wasm bytes decoded). */
  importStart: number;
  /** Compiling the wasm (0 ms when a compiled module was handed to this thread). */
  compileStart: number;
  compileEnd: number;
  /** Instantiated and HDF5's runtime initialised. */
  ready: number;
  /** Whether the compiled module came from another thread of this process. */
  shared: boolean;
}

let loading: Promise<LoadedH5> | undefined;

/** The key under which threads receive the compiled module in their `workerData`. */
export const H5WASM_MODULE_KEY = 'h5wasmModule';
/** `workerData` flag and message type of the launcher's compiled module (bin/h5blocks.js uses the same strings). */
export const H5WASM_MODULE_COMING = 'h5wasmModuleComing';
export const H5WASM_MODULE_MESSAGE = 'h5wasm-module';
/** Read by the lean glue (scripts/lean-h5wasm.mjs): set, it skips reading the wasm bytes. */
const COMPILED_FLAG = Symbol.for('h5blocks.h5wasmCompiled');

/**
 * The compiled wasm of h5wasm, shared by every thread of the process: compiling
 * it (and V8's later optimised tiers) is done once, then handed to each thread
 * that needs HDF5 (I/O threads, shard workers) in its `workerData`.
 */
let compiled: WebAssembly.Module | undefined = moduleIn(workerData);

/**
 * The CLI's launcher (bin/h5blocks.js) compiles the wasm on the main thread,
 * which is otherwise idle while this thread starts, and posts it here: this
 * thread then neither reads the 3.5 MB nor compiles them. `null` when the
 * launcher could not (this thread compiles as before).
 */
const fromLauncher: Promise<WebAssembly.Module | null> | undefined = compiled === undefined && (workerData as Record<string, unknown> | null)?.[H5WASM_MODULE_COMING] === true
  ? new Promise((resolve) => {
    const take = (message: unknown) => {
      const { type, module } = (message ?? {}) as { type?: unknown; module?: unknown };
      if (type !== H5WASM_MODULE_MESSAGE) return;
      parentPort?.off('message', take);
      resolve(module instanceof WebAssembly.Module ? module : null);
    };
    parentPort?.on('message', take);
  })
  : undefined;

/** The compiled module, once this thread has one (to hand to threads it starts). */
export function compiledH5Module(): WebAssembly.Module | undefined {
  return compiled;
}

/** Takes a compiled module another thread made, for the threads this one starts later. */
export function shareCompiledH5Module(module: WebAssembly.Module): void {
  compiled ??= module;
}


export function withCompiledH5Module<T extends object>(data: T): T & { [H5WASM_MODULE_KEY]?: WebAssembly.Module } {
  return compiled ? { ...data, [H5WASM_MODULE_KEY]: compiled } : data;
}

function moduleIn(data: unknown): WebAssembly.Module | undefined {
  const candidate = (data as Record<string, unknown> | null | undefined)?.[H5WASM_MODULE_KEY];
  return candidate instanceof WebAssembly.Module ? candidate : undefined;
}

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
    const importStart = epochNow();
    compiled ??= (await fromLauncher) ?? undefined;
    const timing = { compileStart: 0, compileEnd: 0, shared: compiled !== undefined };
    const { h5, module } = await withSharedCompile(timing, async () => {
      const lean = leanBuild();
      const imported: typeof import('h5wasm/node') = lean ? await import(/* @vite-ignore */ pathToFileURL(lean).href) : await import('h5wasm/node');
      return { h5: imported.default, module: await imported.default.ready };
    });
    // HDF5 errors throw with their stack as text, which errors.ts turns into one line,
    // instead of printing HDF5-DIAG dumps on stderr.
    module.activate_throwing_error_handler();
    module.insert_plugin_search_path(pluginFolder(), 0);
    guardFileSystem(module, pluginFolder());
    confineTo(confinementFromEnvironment());
    return { h5, module, startup: { importStart, compileStart: timing.compileStart || importStart, compileEnd: timing.compileEnd || importStart, ready: epochNow(), shared: timing.shared } };
  }));
  return loading;
}

/**
 * The build's copy of h5wasm's Node build with its wasm in a file of its own
 * (scripts/lean-h5wasm.mjs: about 0.1 s less per thread that loads it), or
 * undefined where the build did not write it (then h5wasm's own is used).
 */
function leanBuild(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    for (const candidate of [join(dir, 'h5wasm', 'hdf5_hl.js'), join(dir, 'out', 'h5wasm', 'hdf5_hl.js')]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * h5wasm's Emscripten glue carries its wasm inline and instantiates it from
 * bytes with `WebAssembly.instantiate`, with no option reachable through
 * `h5wasm/node` to hand it a compiled module. While it loads, that call is
 * answered from the module compiled once per process (or compiles it here and
 * keeps it for the threads started later).
 */
async function withSharedCompile<T>(timing: { compileStart: number; compileEnd: number }, load: () => Promise<T>): Promise<T> {
  const original = WebAssembly.instantiate;
  const instantiate = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module) return original(source, imports);
    timing.compileStart = epochNow();
    const module = compiled ?? await WebAssembly.compile(source);
    compiled = module;
    timing.compileEnd = epochNow();
    return { module, instance: await original(module, imports) };
  };
  WebAssembly.instantiate = instantiate as typeof WebAssembly.instantiate;
  const flags = globalThis as { [COMPILED_FLAG]?: boolean };
  flags[COMPILED_FLAG] = compiled !== undefined;
  try {
    return await load();
  } finally {
    WebAssembly.instantiate = original;
    delete flags[COMPILED_FLAG];
  }
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
