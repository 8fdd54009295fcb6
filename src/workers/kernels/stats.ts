// Whole-dataset statistics by map-reduce. Map (where a block is read: inline,
// a pool or shard worker, a Dask task): each *leaf* of the block (a fixed run
// of rows, see leafRowsFor) gets its partial figures (count, NaN count, min,
// max, mean, M2), and, once a range is known, histogram counts. Reduce (the
// parent, in block order, so leaf order): counts and extremes combine exactly;
// means and M2 by Chan's parallel merge, leaf after leaf. Leaves depend on the
// dataset only, and blocks are whole numbers of leaves, so the figures are the
// same bits for every strategy, worker count and block size.
import type { Elements, KernelBlock } from './kernel';
import { treeWidth } from './treeSum';

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
      if (task.perColumn) countValues(v, g, rows * columns, columns, edges, counts);
      else countValues(v, 0, rows * columns, 1, edges, counts);
      at += bins;
    }
  }
}

/** One leaf's values (NaN as -0, the identity of addition), then their squared deviations: reused, never allocated per leaf. */
let leafScratch = new Float64Array(0);

function leafMoments(v: Elements, base: number, length: number, stride: number, out: Float64Array, at: number): void {
  if (leafScratch.length < length) leafScratch = new Float64Array(length);
  const xs = leafScratch;
  let n = 0;
  let low = Infinity;
  let high = -Infinity;
  // One gather does the extremes too; the sums below then run over plain
  // float64 arrays, with no per-value callback (treeSum's map), in the same
  // tree order, so the bits are treeSum's.
  for (let k = 0, i = base; k < length; k++, i += stride) {
    const x = v[i];
    if (x !== x) {
      xs[k] = -0;
      continue;
    }
    xs[k] = x;
    n++;
    if (x < low) low = x;
    if (x > high) high = x;
  }
  let m = 0;
  let m2 = 0;
  if (n > 0) {
    m = treeSumInPlace(xs, length) / n;
    for (let k = 0, i = base; k < length; k++, i += stride) {
      const x = v[i];
      if (x !== x) {
        xs[k] = -0;
      } else {
        const d = x - m;
        xs[k] = d * d;
      }
    }
    m2 = treeSumInPlace(xs, length);
  }
  out[at] = n;
  out[at + 1] = length - n;
  out[at + 2] = low === 0 ? 0 : low;
  out[at + 3] = high === 0 ? 0 : high;
  out[at + 4] = m;
  out[at + 5] = m2;
}

/** treeSum(xs, 0, length, identity), summing in xs itself (which it overwrites). */
function treeSumInPlace(xs: Float64Array, length: number): number {
  if (length === 0) return -0;
  if (length === 1) return xs[0];
  if (length === 2) return xs[0] + xs[1];
  const half = treeWidth(length) / 2;
  // xs[i + half] is read before anything at or past half is written.
  for (let i = 0; i < half; i++) xs[i] = xs[i] + (i + half < length ? xs[i + half] : -0);
  for (let width = half / 2; width >= 1; width /= 2) {
    for (let i = 0; i < width; i++) xs[i] += xs[i + width];
  }
  return xs[0];
}

/** numpy's np.linspace(lo, hi, bins + 1): i·step + lo, the last edge exactly hi. */
export function binEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/**
 * numpy's np.histogram for equal bins over v[start], v[start + step], …: an
 * estimate, then corrected against the edges, so a value's bin follows the
 * edges exactly. NaN and values outside [lo, hi] are not counted.
 */
function countValues(v: Elements, start: number, end: number, step: number, edges: Float64Array, counts: Float64Array): void {
  const bins = counts.length;
  const lo = edges[0];
  const hi = edges[bins];
  // A multiplication instead of numpy's division: the estimate may differ by
  // one bin at an edge, which the comparison with the edges below corrects, as
  // numpy's does for its own estimate (so both end on the bin the edges say).
  const scale = bins / (hi - lo);
  for (let k = start; k < end; k += step) {
    const x = v[k];
    if (!(x >= lo && x <= hi)) continue;
    let i = Math.trunc((x - lo) * scale);
    if (i >= bins) i = bins - 1;
    if (i < 0) i = 0;
    if (x < edges[i]) i--;
    else if (x >= edges[i + 1] && i !== bins - 1) i++;
    counts[i]++;
  }
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
