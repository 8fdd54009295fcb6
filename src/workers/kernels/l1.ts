import { FLOAT64_RULE, alwaysFloat64, anyNumeric, type RowKernel, blockElements } from './kernel';
import { sumIsExact, treeSum } from './treeSum';

const absolute = (x: number) => Math.abs(x);

export const l1: RowKernel = {
  name: 'l1',
  description: 'L1 norm of each row or frame: the sum of absolute values (float64, pairwise)',
  accepts: 'any integer or float dataset of rank ≥ 1',
  outputRule: FLOAT64_RULE,
  refuses: anyNumeric,
  outputType: alwaysFloat64,
  computeInto(block, out) {
    const v = blockElements(block);
    const { rows, columns } = block;
    const exact = sumIsExact(block.kind, columns);
    for (let r = 0, base = 0; r < rows; r++, base += columns) {
      if (exact) {
        let s = 0;
        for (let c = 0; c < columns; c++) s += Math.abs(v[base + c]);
        out[r] = s;
      } else {
        out[r] = treeSum(v, base, columns, absolute);
      }
    }
  },
  numpy: 'row_l1',
};
