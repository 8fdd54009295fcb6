import { FLOAT64_RULE, alwaysFloat64, anyNumeric, type RowKernel, blockElements } from './kernel';
import { rowSums } from './sum';

export const mean: RowKernel = {
  name: 'mean',
  description: 'Mean of each row or frame: its float64 sum divided once by the number of elements',
  accepts: 'any integer or float dataset of rank ≥ 1',
  outputRule: FLOAT64_RULE,
  refuses: anyNumeric,
  outputType: alwaysFloat64,
  computeInto: (block, out) => rowSums(blockElements(block), block, out, block.columns),
  numpy: 'row_mean',
};
