// Whole-dataset statistics by map-reduce. Map (where a block is read: inline,
// a pool or shard worker, a Dask task): each *leaf* of the block (a fixed run
// of rows, see leafRowsFor) gets its partial figures (count, NaN count, min,
// max, mean, M2), and, once a range is known, histogram counts. Reduce (the
// parent, in block order, so leaf order): counts and extremes combine exactly;
// means and M2 by Chan's parallel merge, leaf after leaf. Leaves depend on the
// dataset only, and blocks are whole numbers of leaves, so the figures are the
// same bits for every strategy, worker count and block size.
import type { Elements, KernelBlock } from './kernel';
import { treeSum } from './treeSum';

export const STATS_FIELDS = 6; // n, nanCount, min, max, mean, m2

export interface StatsTask {
  /** Rows per leaf; the block starts on a leaf boundary. */
  leafRows: number;
  /** One set of figures per column (N×D) or one over every value (1-D, rank ≥ 3). */
  perColumn: boolean;
  /** Compute the leaves' moments (the first pass). */
  moments: boolean;
  /** Histogram counts over each group's [lo, hi] (numpy's rules: last bin closed, values outside ignored). */
  histogram?: { bins: number; ranges: [number, number][] };
}

export function statsGroups(task: StatsTask, columns: number): number {
  return task.perColumn ? columns : 1;
}

/** Leaves per block (the last leaf of the dataset may be short). */
export function leavesIn(rows: number, leafRows: number): number {
  return Math.ceil(rows / leafRows);
}

/** How many float64 values a block's partial holds. */
export function statsLength(task: StatsTask, rows: number, columns: number): number {
  const groups = statsGroups(task, columns);
  return (task.moments ? leavesIn(rows, task.leafRows) * groups * STATS_FIELDS : 0) + (task.histogram ? groups * task.histogram.bins : 0);
}

/**
 * Leaves of about 64 Ki values, or one chunk of rows when the dataset is
 * chunked and a chunk holds at most 1 Mi values (so default blocks, which are
 * whole chunks, are whole leaves too). Fixed by the dataset alone.
 */
export function leafRowsFor(columns: number, chunkRows: number | undefined): number {
  if (chunkRows && chunkRows * columns <= 2 ** 20) return chunkRows;
  return Math.max(1, Math.floor(2 ** 16 / Math.max(1, columns)));
}

export function statsInto(v: Elements, block: KernelBlock, task: StatsTask, out: Float64Array): void {
  const { rows, columns } = block;
  const groups = statsGroups(task, columns);
  let at = 0;
  if (task.moments) {
    for (let leafStart = 0; leafStart < rows; leafStart += task.leafRows) {
      const leafEnd = Math.min(rows, leafStart + task.leafRows);
      for (let g = 0; g < groups; g++) {
        const base = leafStart * columns + (task.perColumn ? g : 0);
        const length = task.perColumn ? leafEnd - leafStart : (leafEnd - leafStart) * columns;
        const stride = task.perColumn ? columns : 1;
        leafMoments(v, base, length, stride, out, at);
        at += STATS_FIELDS;
      }
    }
  }
  if (task.histogram) {
    const { bins, ranges } = task.histogram;
    for (let g = 0; g < groups; g++) {
      const counts = out.subarray(at, at + bins);
      const edges = binEdges(ranges[g][0], ranges[g][1], bins);
      if (task.perColumn) for (let k = g; k < rows * columns; k += columns) countValue(v[k], edges, counts);
      else for (let k = 0; k < rows * columns; k++) countValue(v[k], edges, counts);
      at += bins;
    }
  }
}

const withoutNaN = (x: number) => (x !== x ? -0 : x);

function leafMoments(v: Elements, base: number, length: number, stride: number, out: Float64Array, at: number): void {
  let n = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let k = 0, i = base; k < length; k++, i += stride) {
    const x = v[i];
    if (x !== x) continue;
    n++;
    if (x < low) low = x;
    if (x > high) high = x;
  }
  const m = n === 0 ? 0 : treeSum(v, base, length, withoutNaN, stride) / n;
  const m2 = n === 0 ? 0 : treeSum(v, base, length, (x) => {
    if (x !== x) return -0;
    const d = x - m;
    return d * d;
  }, stride);
  out[at] = n;
  out[at + 1] = length - n;
  out[at + 2] = low === 0 ? 0 : low;
  out[at + 3] = high === 0 ? 0 : high;
  out[at + 4] = m;
  out[at + 5] = m2;
}

/** numpy's np.linspace(lo, hi, bins + 1): i·step + lo, the last edge exactly hi. */
export function binEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** numpy's np.histogram for equal bins: an estimate, then corrected against the edges, so a value's bin follows the edges exactly. */
function countValue(x: number, edges: Float64Array, counts: Float64Array): void {
  const bins = counts.length;
  const lo = edges[0];
  const hi = edges[bins];
  if (!(x >= lo && x <= hi)) return; // NaN and values outside the range
  let i = Math.trunc(((x - lo) / (hi - lo)) * bins);
  if (i >= bins) i = bins - 1;
  if (i < 0) i = 0;
  if (x < edges[i]) i--;
  else if (x >= edges[i + 1] && i !== bins - 1) i++;
  counts[i]++;
}

/** The reduce side: figures of one group, merged leaf after leaf in dataset order. */
export class GroupStatistics {
  count = 0;
  nanCount = 0;
  min = Infinity;
  max = -Infinity;
  mean = 0;
  m2 = 0;
  histogram: Float64Array | undefined;

  /** Chan, Golub and LeVeque's pairwise update; an empty leaf changes nothing. */
  mergeLeaf(n: number, nanCount: number, min: number, max: number, mean: number, m2: number): void {
    this.nanCount += nanCount;
    if (n === 0) return;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    if (this.count === 0) {
      this.count = n;
      this.mean = mean;
      this.m2 = m2;
      return;
    }
    const total = this.count + n;
    const delta = mean - this.mean;
    this.mean += (delta * n) / total;
    this.m2 += m2 + ((delta * delta) * this.count * n) / total;
    this.count = total;
  }

  addCounts(counts: Float64Array): void {
    this.histogram ??= new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) this.histogram[i] += counts[i];
  }

  /** Population standard deviation (ddof = 0), as numpy's std. */
  get std(): number {
    return this.count === 0 ? NaN : Math.sqrt(this.m2 / this.count);
  }
}

/** Merges one block's partial (as statsInto wrote it) into the groups' figures. */
export function mergeBlock(partial: Float64Array, task: StatsTask, groups: GroupStatistics[]): void {
  let at = 0;
  if (task.moments) {
    const momentValues = partial.length - (task.histogram ? groups.length * task.histogram.bins : 0);
    for (; at < momentValues; at += STATS_FIELDS) {
      const g = (at / STATS_FIELDS) % groups.length;
      groups[g].mergeLeaf(partial[at], partial[at + 1], partial[at + 2], partial[at + 3], partial[at + 4], partial[at + 5]);
    }
  }
  if (task.histogram) {
    for (const group of groups) {
      group.addCounts(partial.subarray(at, at + task.histogram.bins));
      at += task.histogram.bins;
    }
  }
}

/**
 * numpy's default histogram range: [min, max], widened by 0.5 each side when
 * they are equal; none when there is no value or an infinite one (numpy refuses those).
 */
export function histogramRange(group: GroupStatistics): [number, number] | string {
  if (group.count === 0) return group.nanCount === 0 ? 'no values' : 'no values that are not NaN';
  if (!Number.isFinite(group.min) || !Number.isFinite(group.max)) return `its range [${group.min}, ${group.max}] is not finite; give one with --range LO HI`;
  return group.min === group.max ? [group.min - 0.5, group.max + 0.5] : [group.min, group.max];
}
