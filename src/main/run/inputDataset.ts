import { basename } from 'node:path';
import { H5BlocksError } from '../../shared/errors';
import { describeDtype, numericKind } from '../hdf5/dtypes';
import { normalizePath } from '../hdf5/entities';
import { hdf5Error } from '../hdf5/errors';
import { objectType, type H5Dataset, type H5File, type H5Module } from '../hdf5/h5wasm';
import { readStoredType, whyNotExact } from '../hdf5/storedType';
import type { ByteStore } from '../transaction/byteStore';
import type { InputInfo } from '../strategies/context';
import { checkSourcesPresent } from '../hdf5/virtual/sources';

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
 * The dataset a run reads, or a refusal that says why it cannot be used.
 * `bytes`: where the file's own bytes are read from to check how its numbers
 * are stored (a run's view of the file; by default the file on disk).
 */
export function usableInput(module: H5Module, file: H5File, path: string, bytes: ByteStore | string = file.filename): UsableInput {
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
  if (!kind) throw refuse(`its elements are ${describeDtype(meta).description}; the row norm needs integers or floats`);
  // h5wasm hands over the stored bits without libhdf5's conversion: only types whose bits are the numbers are read.
  const stored = readStoredType(bytes, module, file, dataset, meta);
  if (!stored) throw refuse('h5blocks cannot read its datatype message from the file to check how its numbers are stored, so it does not read them');
  const inexact = whyNotExact(stored);
  if (inexact) throw refuse(inexact);
  const shape = meta.shape;
  if (shape === null) throw refuse('has no dataspace (null dataset)');
  if (shape.length !== 2) {
    const what = shape.length === 0 ? 'a scalar' : `${shape.length}-D (shape ${shape.join('×')})`;
    throw refuse(`is ${what}; the row norm needs a 2-D N×D dataset`);
  }
  // A virtual input whose sources are gone would read as fill values: refuse it, naming them.
  checkSourcesPresent(file.filename, dataset, meta);
  const [rows, columns] = shape;
  if (columns === 0) throw refuse('has 0 columns; every row norm would be empty');
  return {
    file: file.filename, dataset, kind, rows, columns, elementBytes: meta.size,
    chunkRows: meta.chunks?.[0],
    littleEndian: meta.littleEndian,
    filtered: (entity as H5Dataset).filters.length > 0,
  };
}
