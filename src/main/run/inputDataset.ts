import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { describeDtype, numericKind } from '../hdf5/dtypes';
import { normalizePath } from '../hdf5/entities';
import { hdf5Error } from '../hdf5/errors';
import { objectType, type H5Dataset, type H5File, type H5Module } from '../hdf5/h5wasm';
import { readStoredType, whyNotExact } from '../hdf5/storedType';
import type { ByteStore } from '../transaction/byteStore';
import type { InputInfo } from '../strategies/context';
import { checkSourcesPresent } from '../hdf5/virtual/sources';
import type { RowKernel } from '../../workers/kernels/kernel';

export interface UsableInput extends InputInfo {
  chunkRows?: number;
  littleEndian: boolean;
  /** HDF5 filters (compression, checksums) on the stored data. */
  filtered: boolean;
}

const OBJECT_WORDS: Record<string, string> = {
  Group: 'a group',
  Datatype: 'a named datatype',
  BrokenSoftLink: 'a soft link to nothing (broken)',
  ExternalLink: 'an external link whose file or object cannot be opened',
};

/**
 * The dataset a run reads, or a refusal that says why it cannot be used (by any
 * computation, or by `kernel`). `bytes`: where the file's own bytes are read
 * from to check how its numbers are stored (a run's view of the file; by
 * default the file on disk).
 */
export function usableInput(module: H5Module, file: H5File, path: string, bytes: ByteStore | string = file.filename, kernel?: RowKernel): UsableInput {
  const dataset = normalizePath(path);
  const name = basename(file.filename);
  const refuse = (why: string) =>
    new H5BlocksError('unsupported-dataset', `${name}: ${dataset}: ${why}`, { file: file.filename, object: dataset });
  let entity;
  try {
    entity = file.get(dataset);
  } catch {
    entity = null;
  }
  if (entity === null) throw new H5BlocksError('not-found', `${name}: ${dataset}: no such dataset`, { file: file.filename, object: dataset });
  const type = objectType(entity);
  if (type !== 'Dataset') throw refuse(`is ${OBJECT_WORDS[type ?? ''] ?? 'not a dataset'}, not a dataset`);
  let meta;
  try {
    meta = (entity as H5Dataset).metadata;
  } catch (error) {
    throw hdf5Error(error, file.filename, dataset, 'cannot read its description');
  }
  const kind = numericKind(meta);
  if (!kind) throw refuse(`its elements are ${describeDtype(meta).description}; computations need integers or floats`);
  // h5wasm hands over the stored bits without libhdf5's conversion: only types whose bits are the numbers are read.
  const stored = readStoredType(bytes, module, file, dataset, meta);
  if (!stored) throw refuse('h5blocks cannot read its datatype message from the file to check how its numbers are stored, so it does not read them');
  const inexact = whyNotExact(stored);
  if (inexact) throw refuse(inexact);
  const shape = meta.shape;
  if (shape === null) throw refuse('has no dataspace (null dataset)');
  if (shape.length === 0) throw refuse('is a scalar; computations need a dataset of rank 1 or more, taken in blocks along its first axis');
  // A virtual input whose sources are gone would read as fill values: refuse it, naming them.
  checkSourcesPresent(file.filename, dataset, meta);
  const rows = shape[0];
  const columns = rowLength(shape);
  if (columns === 0) throw refuse(`has empty rows (shape ${shape.join('×')}); every value computed over a row would be empty`);
  const refusal = kernel?.refuses({ kind, shape });
  if (refusal) throw refuse(`${refusal}; \`${kernel?.name}\` does not apply`);
  return {
    file: file.filename, dataset, kind, rows, columns, shape: [...shape], elementBytes: meta.size,
    chunkRows: meta.chunks?.[0],
    littleEndian: meta.littleEndian,
    filtered: (entity as H5Dataset).filters.length > 0,
  };
}

/** Elements per entry along the first axis: the product of the other axes (1 for a 1-D series). */
export function rowLength(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}
