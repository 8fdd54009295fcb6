import { FLOAT64_RULE, alwaysFloat64, anyNumeric, type Elements, type KernelBlock, type RowKernel, blockElements } from './kernel';
import { identity, sumIsExact, treeSum } from './treeSum';

/** Σ of one row in float64: exact for integers of up to 32 bits, pairwise tree otherwise. */
export function rowSum(v: Elements, base: number, columns: number, exact: boolean): number {
  if (!exact) return treeSum(v, base, columns, identity);
  // Exact in any order (see sumIsExact), so the same number as the tree's; integers are never -0.
  let s = 0;
  for (let c = 0; c < columns; c++) s += v[base + c];
  return s;
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
