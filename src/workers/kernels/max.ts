import { NARROWEST_RULE, anyNumeric, narrowestExact, type RowKernel, blockElements } from './kernel';
import { rowExtreme } from './extremes';

export const max: RowKernel = {
  name: 'max',
  description: 'Largest value of each row or frame (NaN if the row holds one)',
  accepts: 'any integer or float dataset of rank ≥ 1',
  outputRule: `${NARROWEST_RULE} (64-bit integers beyond 2^53 round to the nearest double)`,
  refuses: anyNumeric,
  outputType: narrowestExact,
  computeInto(block, out) {
    const v = blockElements(block);
    for (let r = 0, base = 0; r < block.rows; r++, base += block.columns) out[r] = rowExtreme(v, base, block.columns, 1, false);
  },
  numpy: 'row_max',
};
