// Summation in a fixed pairwise tree: a row padded with -0 to a power of two
// P, then halved P/2 at a time (element i added to element i + P/2). -0 is the
// exact identity of IEEE addition (x + -0 = x for every x, -0 included), so the
// padding changes nothing. Error grows as log2(P)·ε instead of P·ε for a plain
// loop, and the tree's shape depends on the row's length only, never on block
// size or strategy. numpy repeats it in h5blocks_kernel.py (`tree_sum`) with
// one vectorised add per level, so the Dask strategy gives the same bits.

let scratch = new Float64Array(0);

function scratchOf(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  return scratch;
}

/** The least power of two ≥ n (1 for n ≤ 1). */
export function treeWidth(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Σ map(v[base + k·stride]) for k < length in the tree order. `map` is applied to
 * each element before summing (identity, |x|, (x − m)², NaN → -0, …).
 */
export function treeSum(v: ArrayLike<number>, base: number, length: number, map: (x: number) => number, stride = 1): number {
  if (length === 0) return -0;
  if (length === 1) return map(v[base]);
  if (length === 2) return map(v[base]) + map(v[base + stride]);
  const half = treeWidth(length) / 2;
  const s = scratchOf(half);
  // First level straight from the row: element i (< half < length) meets i + half or the padding.
  if (map === identity && stride === 1) {
    // The plain sum (sum, mean, std's mean): the same additions without a call per value.
    const paired = length - half;
    for (let i = 0; i < paired; i++) s[i] = v[base + i] + v[base + i + half];
    for (let i = paired; i < half; i++) s[i] = v[base + i] + -0;
  } else {
    for (let i = 0; i < half; i++) s[i] = map(v[base + i * stride]) + (i + half < length ? map(v[base + (i + half) * stride]) : -0);
  }
  for (let width = half / 2; width >= 1; width /= 2) {
    for (let i = 0; i < width; i++) s[i] += s[i + width];
  }
  return s[0];
}

const SMALL_INTEGER_KINDS = new Set(['i1', 'u1', 'i2', 'u2', 'i4', 'u4']);

/**
 * True when a plain loop gives the tree's result exactly: elements of at most
 * 32 bits, fewer than 2^21 of them (so every partial sum of |x| stays below
 * 2^53 and every addition is exact, in any order).
 */
export function sumIsExact(kind: string, length: number): boolean {
  return SMALL_INTEGER_KINDS.has(kind) && length < 2 ** 21;
}

export const identity = (x: number): number => x;
