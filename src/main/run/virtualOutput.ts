import { H5BlocksError } from '@shared/errors';
import type { OutputType } from '../../workers/compute/rowNorm';
import { hdf5Error } from '../hdf5/errors';
import { objectType, type H5Dataset, type H5File, type H5Group } from '../hdf5/h5wasm';
import { MAX_U32, rowsSelection } from '../hdf5/virtual/selection';
import { makeVirtual, readMappings } from '../hdf5/virtual/virtualLayout';
import type { ByteStore } from '../transaction/byteStore';
import type { WrittenShard } from '../strategies/context';
import { ensureParentGroups } from './output';
import { resolveSource } from '../hdf5/virtual/sources';
import { listShards, relativeToFile, removeOrphanShards, shardFolderOf } from './shardFolder';

/** Rows a virtual output can map: version-1 hyperslab coordinates are u32 (HDF5 1.10 reads no later version). */
export function checkVirtualRows(displayName: string, file: string, dataset: string, rows: number): void {
  if (rows > MAX_U32) {
    throw new H5BlocksError('invalid-argument', `${displayName}: ${dataset} has ${rows} rows; a vds output can map at most ${MAX_U32} rows (HDF5 1.10's selections count rows in 32 bits); use another strategy`, { file, object: dataset });
  }
}

/**
 * The output as h5wasm can make it: a 1-D contiguous dataset of the output
 * type with no rows (no storage), carrying the attributes; finishVirtualOutput
 * then turns it into the virtual dataset, once h5wasm has closed the file.
 */
export function createVirtualOutput(file: H5File, path: string, type: OutputType, displayName: string): H5Dataset {
  try {
    ensureParentGroups(file, path);
    const empty = type === 'float32' ? new Float32Array(0) : new Float64Array(0);
    return (file as H5Group).create_dataset({ name: path, data: empty, shape: [0], dtype: type === 'float32' ? '<f' : '<d' });
  } catch (error) {
    throw hdf5Error(error, displayName, path, 'cannot create the output dataset');
  }
}

/** Maps the output's rows onto its shards (each shard's `/values`), named relative to the file. */
export function finishVirtualOutput(store: ByteStore, file: string, output: string, rows: number, shards: WrittenShard[]): void {
  makeVirtual(store, output, rows, shards.map((shard) => ({
    file: relativeToFile(file, shard.path), dataset: '/values', source: { kind: 'all' }, virtual: rowsSelection(shard.rowStart, shard.rowEnd),
  })));
}

/** The source files (absolute) of the virtual dataset at `path`, empty when it is not one. */
export function sourcesOf(store: ByteStore, file: string, path: string): string[] {
  try {
    return (readMappings(store, path) ?? []).filter((m) => m.file !== '.').map((m) => resolveSource(file, m.file));
  } catch {
    return [];
  }
}

/**
 * Removes shards under the file's shard folder that no dataset uses (what a
 * crash leaves). A shard is first looked for in the mappings of the dataset
 * its folder is named after; only when some are not found there is every
 * virtual dataset of the file consulted, so a dataset the user renamed keeps its shards.
 */
export function removeUnusedShards(file: string, store: ByteStore, h5file: H5File): string[] {
  const shards = listShards(file);
  if (shards.length === 0) return [];
  const inUse = new Set<string>();
  const outputs = new Set(shards.map((shard) => shardOutputPath(file, shard)));
  for (const output of outputs) for (const source of sourcesOf(store, file, output)) inUse.add(source);
  if (shards.every((shard) => inUse.has(shard))) return [];
  const paths = datasetPaths(h5file);
  // Without the whole list, a shard might belong to a dataset not seen: keep them all.
  if (paths === undefined) return [];
  for (const path of paths) {
    let entity;
    try {
      entity = h5file.get(path);
    } catch {
      return [];
    }
    if (objectType(entity) !== 'Dataset') continue;
    for (const source of (entity as H5Dataset).metadata.virtual_sources ?? []) {
      if (source.file_name !== '.') inUse.add(resolveSource(file, source.file_name));
    }
  }
  return removeOrphanShards(file, inUse);
}

/** The output path a shard's folder is named after (`data.h5blocks/a/b/x.h5` → `/a/b`). */
function shardOutputPath(file: string, shard: string): string {
  const rest = relativeToFile(shardFolderOf(file, '/'), shard).split('/');
  return `/${rest.slice(0, -1).join('/')}`;
}

function datasetPaths(h5file: H5File): string[] | undefined {
  try {
    return h5file.paths().map((p) => (p.startsWith('/') ? p : `/${p}`));
  } catch {
    return undefined;
  }
}
