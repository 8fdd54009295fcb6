// How much of a dataset a plot reads. The API reads contiguous windows only
// (one [start, stop) per dimension, at most MAX_ELEMENTS_PER_REQUEST elements),
// so a sample of a long dataset is a set of evenly spaced contiguous runs.

export const MAX_ELEMENTS_PER_REQUEST = 1_000_000;

export type RowWindow = [number, number];

/**
 * Windows of rows to read: everything when `total` ≤ `cap`, otherwise `runs`
 * evenly spaced runs that add up to `cap` rows and start at row 0 and end at
 * the last row, so both ends of the data are seen.
 */
export function sampleWindows(total: number, cap: number, runs: number): RowWindow[] {
  if (total <= 0) return [];
  if (total <= cap) return [[0, total]];
  const count = Math.max(1, Math.min(runs, cap));
  const length = Math.max(1, Math.floor(cap / count));
  if (count === 1) return [[0, length]];
  const stride = (total - length) / (count - 1);
  const windows: RowWindow[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.round(i * stride);
    windows.push([start, start + length]);
  }
  return windows;
}

/** Splits windows so no request asks for more than MAX_ELEMENTS_PER_REQUEST elements. */
export function splitForRequests(windows: RowWindow[], elementsPerRow: number, maxElements = MAX_ELEMENTS_PER_REQUEST): RowWindow[] {
  const rowsPerRequest = Math.max(1, Math.floor(maxElements / Math.max(1, elementsPerRow)));
  const requests: RowWindow[] = [];
  for (const [start, stop] of windows) {
    for (let from = start; from < stop; from += rowsPerRequest) requests.push([from, Math.min(stop, from + rowsPerRequest)]);
  }
  return requests;
}

export function windowRows(windows: RowWindow[]): number {
  return windows.reduce((sum, [start, stop]) => sum + (stop - start), 0);
}

export interface BinnedGrid {
  rows: number;
  columns: number;
  /** Source rows and columns averaged into one cell. */
  rowStep: number;
  columnStep: number;
  /** Row-major means; NaN where a cell held no finite value. */
  values: Float64Array;
  min: number;
  max: number;
}

/** Averages a row-major matrix down to at most maxRows × maxColumns cells, ignoring non-finite values. */
export function binGrid(values: ArrayLike<number | string | null>, rows: number, columns: number, maxRows: number, maxColumns: number): BinnedGrid {
  const rowStep = Math.max(1, Math.ceil(rows / maxRows));
  const columnStep = Math.max(1, Math.ceil(columns / maxColumns));
  const outRows = Math.ceil(rows / rowStep);
  const outColumns = Math.ceil(columns / columnStep);
  const sums = new Float64Array(outRows * outColumns);
  const counts = new Uint32Array(outRows * outColumns);
  for (let r = 0; r < rows; r++) {
    const outRow = Math.floor(r / rowStep) * outColumns;
    for (let c = 0; c < columns; c++) {
      const value = values[r * columns + c];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const cell = outRow + Math.floor(c / columnStep);
      sums[cell] += value;
      counts[cell]++;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  const means = new Float64Array(sums.length);
  for (let i = 0; i < sums.length; i++) {
    means[i] = counts[i] > 0 ? sums[i] / counts[i] : NaN;
    if (counts[i] > 0) {
      min = Math.min(min, means[i]);
      max = Math.max(max, means[i]);
    }
  }
  return { rows: outRows, columns: outColumns, rowStep, columnStep, values: means, min, max };
}
