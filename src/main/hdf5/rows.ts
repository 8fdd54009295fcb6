import { H5BlocksError } from '@shared/errors';
import { throwIfRefused } from './confinement';
import { chunkBytesOf, withDecodeBudget } from './decodeBudget';
import { hdf5Error } from './errors';
import type { H5Dataset, H5File, H5Module } from './h5wasm';

/**
 * Each h5wasm instance has a 2 GiB heap and HDF5 allocates the whole hyperslab
 * inside it before we copy it out; a block must leave room for HDF5's own
 * buffers (chunk cache, filter output), so one block may use at most this much.
 */
export const MAX_BLOCK_BYTES = 512 * 1024 * 1024;

/**
 * Reads rows [start, start + count) along the first axis of a dataset whose
 * other axes are `rowShape` (none for 1-D) into a fresh ArrayBuffer
 * (little-endian, the dataset's element type), ready to be transferred to a worker.
 *
 * This calls h5wasm's low-level reader instead of Dataset.slice so that types
 * slice cannot decode (float16) arrive as raw bits, and so the bytes are copied
 * out of the wasm heap exactly once.
 */
export function readRows(
  module: H5Module, file: H5File, path: string, elementBytes: number, rowShape: readonly number[], start: number, count: number,
): ArrayBuffer {
  return readHyperslab(module, file, path, elementBytes, [start, ...rowShape.map(() => 0)], [count, ...rowShape]);
}

/** Reads elements [start, start + count) of a 1-D dataset (a shard, an output) into a fresh ArrayBuffer. */
export function readVector(module: H5Module, file: H5File, path: string, elementBytes: number, start: number, count: number): ArrayBuffer {
  return readHyperslab(module, file, path, elementBytes, [start], [count]);
}

export function readHyperslab(
  module: H5Module, file: H5File, path: string, elementBytes: number, offset: number[], count: number[],
): ArrayBuffer {
  return withHyperslabInHeap(module, file, path, elementBytes, offset, count, (heap, byteOffset, bytes) =>
    heap.slice(byteOffset, byteOffset + bytes));
}

/**
 * Reads rows into the wasm heap and lets `use` work on them there, without the
 * copy out: the inline strategy computes straight from the heap. `use` must not
 * call h5wasm (a heap growth would detach the buffer).
 */
export function withRowsInHeap<T>(
  module: H5Module, file: H5File, path: string, elementBytes: number, rowShape: readonly number[], start: number, count: number,
  use: (heap: ArrayBuffer, byteOffset: number, bytes: number) => T,
): T {
  return withHyperslabInHeap(module, file, path, elementBytes, [start, ...rowShape.map(() => 0)], [count, ...rowShape], use);
}

function withHyperslabInHeap<T>(
  module: H5Module, file: H5File, path: string, elementBytes: number, offset: number[], count: number[],
  use: (heap: ArrayBuffer, byteOffset: number, bytes: number) => T,
): T {
  const bytes = count.reduce((a, b) => a * b, elementBytes);
  if (bytes === 0) return use(new ArrayBuffer(0), 0, 0);
  checkBlockBytes(bytes, file.filename, path);
  const pointer = module._malloc(bytes);
  if (pointer === 0) throw outOfHeap(bytes, file.filename, path);
  try {
    const doing = `cannot read rows ${offset[0]}..${offset[0] + count[0]}`;
    try {
      withDecodeBudget(file.filename, path, bytes, doing, () =>
        module.get_dataset_data(file.file_id, path, count.map(BigInt), offset.map(BigInt), count.map(() => 1n), BigInt(pointer)),
        () => chunkBytesOf((file.get(path) as H5Dataset).metadata));
    } catch (error) {
      throwIfRefused(file.filename, path);
      throw hdf5Error(error, file.filename, path, doing);
    }
    // A virtual dataset's refused source reads as fill values without an error: those are not the data.
    throwIfRefused(file.filename, path);
    return use(module.HEAPU8.buffer as ArrayBuffer, pointer, bytes);
  } finally {
    module._free(pointer);
  }
}

/** Writes `values` at rows [start, start + values.length) of a 1-D dataset of the same element type. */
export function writeRows(module: H5Module, file: H5File, path: string, start: number, values: Float32Array | Float64Array): void {
  writeHyperslab(module, file, path, [start], [values.length], new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Writes raw little-endian element bytes into a hyperslab (offset, count) of a dataset of that element type. */
export function writeHyperslab(module: H5Module, file: H5File, path: string, offset: number[], count: number[], bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  const scratch = writeScratch(module, bytes.length);
  const pointer = scratch ?? module._malloc(bytes.length);
  if (pointer === 0) throw outOfHeap(bytes.length, file.filename, path);
  try {
    module.HEAPU8.set(bytes, pointer);
    module.set_dataset_data(file.file_id, path, count.map(BigInt), offset.map(BigInt), count.map(() => 1n), BigInt(pointer));
  } catch (error) {
    throw hdf5Error(error, file.filename, path, `cannot write rows ${offset[0]}..${offset[0] + count[0]}`);
  } finally {
    if (scratch === undefined) module._free(pointer);
  }
}

/**
 * Blocks up to this size are written from one allocation in the wasm heap,
 * kept for the thread's life, instead of a malloc and a free per block; larger
 * ones (rare) get their own, so the heap never holds more than this unused.
 */
const WRITE_SCRATCH_MAX_BYTES = 8 * 2 ** 20;
const writeScratches = new WeakMap<H5Module, { pointer: number; bytes: number }>();

/** The module's write buffer, grown to `bytes`, or undefined when the block is too large for it (or the heap is full). */
function writeScratch(module: H5Module, bytes: number): number | undefined {
  if (bytes > WRITE_SCRATCH_MAX_BYTES) return undefined;
  const current = writeScratches.get(module);
  if (current && current.bytes >= bytes) return current.pointer;
  // Grown in steps of at least 1 MiB, so a run's blocks settle on one size at once.
  const size = Math.min(WRITE_SCRATCH_MAX_BYTES, Math.max(bytes, 2 ** 20, current ? 2 * current.bytes : 0));
  const pointer = module._malloc(size);
  if (pointer === 0) return undefined;
  if (current) module._free(current.pointer);
  writeScratches.set(module, { pointer, bytes: size });
  return pointer;
}

export function checkBlockBytes(bytes: number, file: string, path: string): void {
  if (bytes > MAX_BLOCK_BYTES) {
    throw new H5BlocksError(
      'too-large',
      `${file}: ${path}: a block of ${(bytes / 2 ** 20).toFixed(0)} MiB does not fit in h5wasm's 2 GiB heap with room to spare; use fewer block rows (at most ${(MAX_BLOCK_BYTES / 2 ** 20).toFixed(0)} MiB per block)`,
      { file, object: path },
    );
  }
}

function outOfHeap(bytes: number, file: string, path: string): H5BlocksError {
  return new H5BlocksError('too-large', `${file}: ${path}: h5wasm could not allocate ${(bytes / 2 ** 20).toFixed(1)} MiB for one block; use fewer block rows`, { file, object: path });
}
