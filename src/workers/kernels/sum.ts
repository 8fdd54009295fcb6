import { FLOAT64_RULE, alwaysFloat64, anyNumeric, type Elements, type KernelBlock, type RowKernel, blockElements } from './kernel';
import { identity, sumIsExact, treeSum } from './treeSum';

/** Σ of one row in float64: exact for integers of up to 32 bits, pairwise tree otherwise. */
export function rowSum(v: Elements, base: number, columns: number, exact: boolean): number {
  if (!exact) return treeSum(v, base, columns, identity);
  // Exact in any order (see sumIsExact), so the same number as the tree's; integers are never -0.
  // Four independent sums keep the CPU's adders busy (one chain waits on each addition).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = base + columns;
  let i = base;
  for (; i + 3 < end; i += 4) {
    s0 += v[i];
    s1 += v[i + 1];
    s2 += v[i + 2];
    s3 += v[i + 3];
  }
  for (; i < end; i++) s0 += v[i];
  return (s0 + s1) + (s2 + s3);
}

export function rowSums(v: Elements, block: KernelBlock, out: Float32Array | Float64Array, divideBy = 1): void {
  const { rows, columns } = block;
  const exact = sumIsExact(block.kind, columns);
  for (let r = 0, base = 0; r < rows; r++, base += columns) out[r] = rowSum(v, base, columns, exact) / divideBy;
}

export const sum: RowKernel = {
  name: 'sum',
  description: 'Sum of each row or frame (float64: exact for integers up to 32 bits, pairwise for floats)',
  accepts: 'any integer or float dataset of rank ≥ 1',
  outputRule: FLOAT64_RULE,
  refuses: anyNumeric,
  outputType: alwaysFloat64,
  computeInto: (block, out) => rowSums(blockElements(block), block, out),
  numpy: 'row_sum',
};
