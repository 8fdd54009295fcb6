import { basename } from 'node:path';
import { filterWordsOf } from './errors';

/**
 * What a thread tells whoever watches it (the I/O thread's owner, a shard run's
 * stall watch) around a read that runs chunks through a filter pipeline. A
 * damaged chunk can make a plugin's decoder loop forever (the bzip2 plugin
 * waits for input that never comes) inside one synchronous HDF5 call, where
 * the thread can say nothing more; so it says beforehand how much it is about
 * to decode, and the watcher gives that read a time budget in proportion
 * (`decodeBudgetMs` in io/stallLimit.ts), well before the stall limit.
 */
export type DecodeNotice =
  /** A filtered read of `bytes` of values starts; `words` name the file, object, rows and filters for the line if it never ends. */
  | { type: 'decoding'; file: string; object: string; bytes: number; words: string }
  /** HDF5 opened a filter plugin: loading (compiling) it is not decoding, and is not counted… */
  | { type: 'plugin-loading' }
  /** …until its wasm is instantiated. */
  | { type: 'plugin-loaded' }
  | { type: 'decoded' };

let report: ((notice: DecodeNotice) => void) | undefined;

/** Where this thread's notices go (an I/O thread's port, a shard task's channel); undefined: nobody watches. */
export function reportDecodesTo(reporter: ((notice: DecodeNotice) => void) | undefined): void {
  report = reporter;
}

let loadingPlugin = false;

/** Said from inside HDF5's call (the file system hook) when it opens a plugin. */
export function notePluginLoading(): void {
  loadingPlugin = true;
  watchInstances();
  report?.({ type: 'plugin-loading' });
}

/**
 * Emscripten loads a plugin (a wasm side module) synchronously: it reads the
 * file, compiles it and makes a `WebAssembly.Instance` of it. That constructor
 * is the one place JavaScript runs once the plugin is ready, so the end of a
 * load is said from there.
 */
function watchInstances(): void {
  const original = WebAssembly.Instance as typeof WebAssembly.Instance & { h5blocksWatched?: boolean };
  if (original.h5blocksWatched) return;
  const Watched = class extends original {
    constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
      super(module, imports);
      if (loadingPlugin) {
        loadingPlugin = false;
        report?.({ type: 'plugin-loaded' });
      }
    }
  };
  (Watched as unknown as { h5blocksWatched: boolean }).h5blocksWatched = true;
  WebAssembly.Instance = Watched;
}

/**
 * Runs `read` (one synchronous HDF5 read of `bytes` of values of `object`),
 * announced to the watcher when the dataset has filters. `doing` is what the
 * read is ("cannot read rows 8..16" is said as "rows 8..16"). HDF5 decodes
 * whole chunks, so a read of a few values decodes at least one chunk:
 * `chunkBytes` gives the dataset's chunk size in bytes, and the budget is for
 * the larger of the two.
 */
export function withDecodeBudget<T>(file: string, object: string, bytes: number, doing: string, read: () => T, chunkBytes: () => number): T {
  const filters = report ? filterWordsOf(file, object) : undefined;
  if (!report || !filters) return read();
  const words = `${basename(file)}: ${object}: ${doing}: the ${filters} filter did not finish decoding them`;
  report({ type: 'decoding', file, object, bytes: Math.max(bytes, chunkBytes()), words });
  try {
    return read();
  } finally {
    report?.({ type: 'decoded' });
  }
}

/** A dataset's chunk size in bytes from its metadata (0 when it is not chunked). */
export function chunkBytesOf(meta: { chunks?: number[] | null; size: number }): number {
  return meta.chunks ? meta.chunks.reduce((a, b) => a * b, meta.size) : 0;
}
