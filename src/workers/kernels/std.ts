import { FLOAT64_RULE, alwaysFloat64, type RowKernel, blockElements } from './kernel';
import { identity, treeSum } from './treeSum';

export const std: RowKernel = {
  name: 'std',
  description: 'Standard deviation of each row or frame (population, ddof = 0; two passes in float64, pairwise)',
  accepts: 'any integer or float dataset of rank ≥ 2 (a 1-D series has one value per row)',
  outputRule: FLOAT64_RULE,
  refuses: ({ shape }) => shape.length < 2 ? 'is 1-D: each entry is a single value, whose standard deviation is always 0' : undefined,
  outputType: alwaysFloat64,
  computeInto(block, out) {
    const v = blockElements(block);
    const { rows, columns } = block;
    for (let r = 0, base = 0; r < rows; r++, base += columns) {
      const m = treeSum(v, base, columns, identity) / columns;
      const squared = treeSum(v, base, columns, (x) => {
        const d = x - m;
        return d * d;
      });
      out[r] = Math.sqrt(squared / columns);
    }
  },
  numpy: 'row_std',
};
