// Overviews of whole datasets for the Data tab, computed in the file's I/O
// thread block by block: a page never holds (or draws) millions of values to
// show what they look like. Every number in an overview is one the dataset
// holds (a minimum, a maximum, a sampled row) except an image's block means,
// which are labelled as such.

import { basename } from 'node:path';
import type { Metadata } from 'h5wasm';
import type { Overview, OverviewRequest } from '@shared/overview';
import { H5BlocksError } from '@shared/errors';
import { encodeNumber } from '@shared/wireValues';
import { decodeHalves } from '../../workers/compute/rowNorm';
import { normalizePath } from '../hdf5/entities';
import { hdf5Error } from '../hdf5/errors';
import { loadH5, objectType, type H5Dataset, type H5File } from '../hdf5/h5wasm';
import { readHyperslab } from '../hdf5/rows';
import { chunkBytesOf, withDecodeBudget } from '../hdf5/decodeBudget';
import { checkSourcesPresent } from '../hdf5/virtual/sources';

/** Elements read per block: a few MB in the wasm heap at a time, whatever the dataset's size. */
const BLOCK_ELEMENTS = 1_048_576;

const INTEGER = 0;
const FLOAT = 1;
const ENUM = 8;

export async function readOverview(file: H5File, path: string, request: OverviewRequest): Promise<Overview> {
  const objectPath = normalizePath(path);
  const where = `${basename(file.filename)}: ${objectPath}`;
  const bad = (why: string) => new H5BlocksError('invalid-argument', `${where}: ${why}`, { file: file.filename, object: objectPath });
  let entity;
  try {
    entity = file.get(objectPath);
  } catch {
    entity = null;
  }
  if (entity === null) throw new H5BlocksError('not-found', `${where}: no such dataset`, { file: file.filename, object: objectPath });
  if (objectType(entity) !== 'Dataset') throw bad('is not a dataset; only datasets have an overview');
  const dataset = entity as H5Dataset;
  const meta = dataset.metadata;
  if (meta.type !== INTEGER && meta.type !== FLOAT && meta.type !== ENUM) throw bad('holds no numbers to plot (its values are shown as a table)');
  const shape = meta.shape;
  if (!shape || shape.length === 0) throw bad('is a scalar or has no dataspace; there is nothing to plot');
  checkSourcesPresent(file.filename, objectPath, meta);
  const { module } = await loadH5();
  const read = (ranges: [number, number][]): ArrayLike<number> => readNumbers(module, file, dataset, objectPath, meta, ranges);
  try {
    switch (request.kind) {
      case 'line': return lineOverview(shape, request, read, bad);
      case 'points': return pointsOverview(shape, request, read, bad);
      case 'image': return imageOverview(shape, request, read, bad);
    }
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    throw hdf5Error(error, file.filename, objectPath, 'cannot read values');
  }
}

type Read = (ranges: [number, number][]) => ArrayLike<number>;
type Bad = (why: string) => H5BlocksError;

/**
 * The minimum and maximum of each of `bins` equal runs of [start, stop) of a
 * 1-D dataset (or of one column of a 2-D one): drawn min, max, min, max… they
 * look exactly as the whole line would at that width. When the range has no
 * more elements than bins, the values themselves come back (`exact`).
 */
function lineOverview(shape: number[], request: Extract<OverviewRequest, { kind: 'line' }>, read: Read, bad: Bad): Overview {
  if (shape.length > 2) throw bad(`has ${shape.length} dimensions; a line overview reads a 1-D dataset or one column of a 2-D one`);
  const length = shape[0];
  const column = request.column ?? 0;
  if (shape.length === 2 && column >= shape[1]) throw bad(`has no column ${column} (it has ${shape[1]})`);
  const start = Math.min(request.start ?? 0, length);
  const stop = Math.min(request.stop ?? length, length);
  if (start > stop) throw bad(`range [${start}, ${stop}) is empty or reversed`);
  const count = stop - start;
  const rangesFor = (from: number, to: number): [number, number][] => (shape.length === 1 ? [[from, to]] : [[from, to], [column, column + 1]]);
  if (count <= request.bins) {
    const values = count === 0 ? [] : Array.from(read(rangesFor(start, stop)), encodeNumber);
    return { kind: 'line', length, start, stop, exact: true, binWidth: 1, min: values, max: values };
  }
  const bins = request.bins;
  const min = new Float64Array(bins).fill(Number.NaN);
  const max = new Float64Array(bins).fill(Number.NaN);
  const binWidth = count / bins;
  for (let from = start; from < stop; from += BLOCK_ELEMENTS) {
    const to = Math.min(stop, from + BLOCK_ELEMENTS);
    const values = read(rangesFor(from, to));
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (Number.isNaN(value)) continue;
      const bin = Math.min(bins - 1, Math.floor((from + i - start) / binWidth));
      if (!(value >= min[bin])) min[bin] = value;
      if (!(value <= max[bin])) max[bin] = value;
    }
  }
  return { kind: 'line', length, start, stop, exact: false, binWidth, min: Array.from(min, encodeNumber), max: Array.from(max, encodeNumber) };
}

/** Every `step`-th row of an N × k dataset, at most `maxPoints` rows, read block by block. */
function pointsOverview(shape: number[], request: Extract<OverviewRequest, { kind: 'points' }>, read: Read, bad: Bad): Overview {
  if (shape.length !== 2) throw bad(`has ${shape.length} dimension${shape.length === 1 ? '' : 's'}; points are the rows of a 2-D dataset`);
  const [rows, columns] = shape;
  const step = Math.max(1, Math.ceil(rows / request.maxPoints));
  const values: (number | string)[] = [];
  // Blocks start on a multiple of step, so the rows kept are 0, step, 2·step… across blocks.
  const blockRows = Math.max(step, Math.floor(BLOCK_ELEMENTS / Math.max(1, columns) / step) * step);
  for (let from = 0; from < rows; from += blockRows) {
    const to = Math.min(rows, from + blockRows);
    const block = read([[from, to], [0, columns]]);
    for (let row = 0; row < to - from; row += step) {
      for (let column = 0; column < columns; column++) values.push(encodeNumber(block[row * columns + column]));
    }
  }
  return { kind: 'points', rows, columns, step, sampled: values.length / Math.max(1, columns), values };
}

/**
 * One 2-D slice (leading dimensions fixed at `index`) as the means of
 * factor × factor blocks, so that no side passes `maxSide` (a GPU texture's
 * limit), read a band of rows at a time.
 */
function imageOverview(shape: number[], request: Extract<OverviewRequest, { kind: 'image' }>, read: Read, bad: Bad): Overview {
  if (shape.length < 2) throw bad('has one dimension; an image needs two');
  const leading = shape.slice(0, -2);
  if (request.index.length !== leading.length) throw bad(`needs ${leading.length} leading index${leading.length === 1 ? '' : 'es'}, ${request.index.length} given`);
  request.index.forEach((value, dim) => {
    if (value >= leading[dim]) throw bad(`index ${value} is outside dimension ${dim} of size ${leading[dim]}`);
  });
  const [height, width] = shape.slice(-2);
  const factor = Math.max(1, Math.ceil(Math.max(height, width) / request.maxSide));
  const outHeight = Math.ceil(height / factor);
  const outWidth = Math.ceil(width / factor);
  const sums = new Float64Array(outHeight * outWidth);
  const counts = new Uint32Array(outHeight * outWidth);
  const bandRows = Math.max(factor, Math.floor(BLOCK_ELEMENTS / Math.max(1, width) / factor) * factor);
  const fixed = request.index.map((value): [number, number] => [value, value + 1]);
  for (let from = 0; from < height; from += bandRows) {
    const to = Math.min(height, from + bandRows);
    const band = read([...fixed, [from, to], [0, width]]);
    for (let row = from; row < to; row++) {
      const outRow = Math.floor(row / factor) * outWidth;
      const offset = (row - from) * width;
      for (let column = 0; column < width; column++) {
        const value = band[offset + column];
        if (!Number.isFinite(value)) continue;
        const at = outRow + Math.floor(column / factor);
        sums[at] += value;
        counts[at]++;
      }
    }
  }
  const values = Array.from(sums, (sum, i) => encodeNumber(counts[i] === 0 ? Number.NaN : sum / counts[i]));
  return { kind: 'image', height, width, factor, shape: [outHeight, outWidth], values };
}

function readNumbers(module: Awaited<ReturnType<typeof loadH5>>['module'], file: H5File, dataset: H5Dataset, path: string, meta: Metadata, ranges: [number, number][]): ArrayLike<number> {
  if (meta.type === FLOAT && meta.size === 2) {
    // h5wasm's slice cannot decode half floats (no Float16Array in Node): read the raw bits.
    const bits = readHyperslab(module, file, path, 2, ranges.map(([start]) => start), ranges.map(([start, stop]) => stop - start));
    return decodeHalves(new Uint16Array(bits));
  }
  const values = ranges.reduce((total, [start, stop]) => total * (stop - start), 1);
  const raw = withDecodeBudget(file.filename, path, values * meta.size, 'cannot read values', () => dataset.slice(ranges), () => chunkBytesOf(meta)) as unknown;
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) return Float64Array.from(raw as ArrayLike<bigint>, (value) => Number(value));
  if (ArrayBuffer.isView(raw)) return raw as unknown as ArrayLike<number>;
  return Array.from([raw].flat() as unknown[], (value) => Number(value));
}
