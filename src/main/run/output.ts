import { posix } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { RunRequest, Strategy } from '@shared/run';
import { describeDtype } from '../hdf5/dtypes';
import { hdf5Error } from '../hdf5/errors';
import { objectType, type H5Dataset, type H5File, type H5Group } from '../hdf5/h5wasm';
import { OUTPUT_BYTES, type OutputType } from '../../workers/compute/rowNorm';

export const COMPLETE_ATTRIBUTE = 'h5blocks_complete';

/** `distances` beside the input unless the user names a path; relative names are taken in the input's group. */
export function resolveOutputPath(inputPath: string, requested: string | undefined): string {
  const name = requested?.trim() || 'distances';
  const joined = name.startsWith('/') ? name : posix.join(posix.dirname(inputPath), name);
  return posix.normalize(joined);
}

/**
 * The output path, or a refusal naming both paths when writing there could
 * destroy the input: the input itself, the root, a group holding the input
 * (overwriting it would unlink the input with it), a path under the input, or
 * a path through `..` or `.` (which can land on any of those unseen).
 */
export function checkOutputPath(file: string, inputPath: string, requested: string | undefined): string {
  const name = posix.basename(file);
  const asked = requested?.trim();
  const refuse = (why: string, output: string) =>
    new H5BlocksError('output-conflict', `${name}: output ${output}: ${why}; the input is ${inputPath}`, { file, object: output });
  if (asked && asked.split('/').some((part) => part === '..' || part === '.')) {
    throw refuse('a path through ".." or "." is refused, name the output by its own path', JSON.stringify(asked));
  }
  if (asked && asked.length > 1 && asked.endsWith('/')) throw refuse('ends with "/", which names a group; the output must be a dataset', asked);
  const output = resolveOutputPath(inputPath, requested);
  if (output === '/') throw refuse('is the root group; the output must be a dataset', output);
  if (output === inputPath) throw refuse('is the input dataset itself; the output cannot replace its own input', output);
  if (inputPath.startsWith(`${output}/`)) throw refuse('is a group that holds the input; the output must be a dataset outside the input', output);
  if (output.startsWith(`${inputPath}/`)) throw refuse('lies under the input dataset; the output must be a dataset of its own', output);
  return output;
}

/** What a run adds to the file: the output's values, its chunk index and a margin for metadata. */
export function expectedOutputBytes(rows: number, type: OutputType): number {
  const bytes = rows * OUTPUT_BYTES[type];
  const chunks = Math.ceil(rows / outputChunkRows(Math.max(rows, 1), type));
  return bytes + chunks * 64 + 256 * 1024;
}

/** What already stands at the output path, in the user's words, or undefined when it is free. */
export function describeExisting(file: H5File, path: string): string | undefined {
  let type: number;
  try {
    type = file.get_type(path);
  } catch {
    return file.get_link(path) ? 'a broken soft link' : undefined;
  }
  if (type < 0) return undefined;
  const entity = file.get(path);
  if (entity && objectType(entity) === 'Dataset') {
    const meta = (entity as H5Dataset).metadata;
    return `a dataset (${describeDtype(meta).description}, shape ${JSON.stringify(meta.shape)})`;
  }
  return objectType(entity) === 'Group' ? 'a group' : 'an object';
}

/** The seed's "Name already exists", in words that say what is there and what to do. */
export function outputExists(displayName: string, path: string, existing: string, filePath = displayName): H5BlocksError {
  return new H5BlocksError(
    'output-exists',
    `${displayName}: ${path} already exists (${existing}); choose another output name, or overwrite it`,
    { file: filePath, object: path },
  );
}

/**
 * Makes the output dataset: a new 1-D chunked dataset, or,
 * with overwrite, the existing one reused in place when its storage can take the
 * new values (the engine has already unlinked an existing output that cannot).
 */
export function prepareOutput(
  file: H5File, path: string, rows: number, type: OutputType, overwrite: boolean, displayName: string,
): H5Dataset {
  const existing = describeExisting(file, path);
  if (existing !== undefined) {
    if (!overwrite) throw outputExists(displayName, path, existing);
    const dataset = file.get(path) as H5Dataset;
    const why = whyNotReusable(file, path, rows, type);
    if (why) throw new H5BlocksError('output-conflict', `${displayName}: cannot overwrite ${path}: ${why}`, { file: displayName, object: path });
    if (dataset.metadata.shape?.[0] !== rows) dataset.resize([rows]);
    for (const name of Object.keys(dataset.attrs)) dataset.delete_attribute(name);
    return dataset;
  }
  try {
    ensureParentGroups(file, path);
    const chunk = outputChunkRows(rows, type);
    const empty = type === 'float32' ? new Float32Array(0) : new Float64Array(0);
    // Created empty and unlimited, then sized: h5wasm wants initial data, and an
    // unlimited maxshape lets a later overwrite resize it to any row count.
    const dataset = (file as H5Group).create_dataset({
      name: path, data: empty, shape: [0], maxshape: [null], chunks: [chunk], dtype: type === 'float32' ? '<f' : '<d',
    });
    dataset.resize([rows]);
    return dataset;
  } catch (error) {
    throw hdf5Error(error, displayName, path, 'cannot create the output dataset');
  }
}

/**
 * Why the object at `path` cannot simply be rewritten in place with N values
 * of `type`, or undefined when it can: a float dataset of the same width, 1-D,
 * with N rows or chunked and resizable to N. Rewriting in place is preferred to
 * unlinking because it does not leave the old values' bytes behind in the file.
 */
export function whyNotReusable(file: H5File, path: string, rows: number, type: OutputType): string | undefined {
  const entity = file.get(path);
  if (objectType(entity) !== 'Dataset') return 'it is not a dataset';
  const meta = (entity as H5Dataset).metadata;
  // Written through, a virtual dataset's values would land in its source files, outside the run's transaction.
  if (meta.virtual_sources && meta.virtual_sources.length > 0) return 'it is a virtual dataset';
  if (meta.type !== 1 || meta.size !== OUTPUT_BYTES[type]) return `its elements are not ${type}`;
  if (!meta.shape || meta.shape.length !== 1) return 'it is not 1-D';
  if (meta.shape[0] === rows) return undefined;
  const max = meta.maxshape?.[0];
  const resizable = meta.chunks !== null && (max === undefined || max === null || max < 0 || max >= rows);
  return resizable ? undefined : `it holds ${meta.shape[0]} rows and cannot be resized to ${rows}`;
}

/**
 * HDF5's default chunk cache holds 1 MiB per dataset; a chunk larger than that
 * bypasses it and every partial write becomes a read-modify-write (measured:
 * 4 MiB chunks write 3.5× slower). Half a MiB keeps whole chunks in the cache.
 */
export function outputChunkRows(rows: number, type: OutputType): number {
  const perChunk = (512 * 1024) / OUTPUT_BYTES[type];
  return Math.max(1, Math.min(rows, perChunk));
}

export function ensureParentGroups(file: H5File, path: string): void {
  const parts = posix.dirname(path).split('/').filter(Boolean);
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    let type = -1;
    try {
      type = file.get_type(current);
    } catch {
      type = -1;
    }
    if (type < 0) (file as H5Group).create_group(current);
  }
}

export interface Provenance {
  /** The request with the strategy the run used (its own or the one chosen for it). */
  request: RunRequest & { strategy: Strategy };
  source: string;
  /** The kernel's name and its one-line description. */
  compute: string;
  computation: string;
  blockRows: number;
  workers: number;
  appVersion: string;
  startedAt: string;
  finishedAt: string;
  outputSha256: string;
  /** dask: the scheduler that ran the blocks. */
  scheduler?: string;
}

/** Provenance first and the completion mark last: a reader that sees the mark sees a finished output. */
export function writeProvenance(dataset: H5Dataset, provenance: Provenance): void {
  const attributes: [string, string | number][] = [
    ['h5blocks_source', provenance.source],
    ['h5blocks_compute', provenance.compute],
    ['h5blocks_computation', provenance.computation],
    // An expression's text as typed, on its own: what to type again to get the same values.
    ...(provenance.request.expr !== undefined ? [['h5blocks_expression', provenance.request.expr] as [string, string]] : []),
    ['h5blocks_strategy', provenance.request.strategy],
    ['h5blocks_workers', provenance.workers],
    ['h5blocks_block_rows', provenance.blockRows],
    ['h5blocks_version', provenance.appVersion],
    ['h5blocks_started', provenance.startedAt],
    ['h5blocks_finished', provenance.finishedAt],
    ['h5blocks_sha256', provenance.outputSha256],
    ...(provenance.scheduler ? [['h5blocks_scheduler', provenance.scheduler] as [string, string]] : []),
  ];
  for (const [name, value] of attributes) {
    if (typeof value === 'number') dataset.create_attribute(name, new Int32Array([value]), [], '<i');
    else dataset.create_attribute(name, value);
  }
  dataset.create_attribute(COMPLETE_ATTRIBUTE, new Int8Array([1]), [], '<b');
}
