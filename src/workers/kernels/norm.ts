import { rowNormsInto } from '../compute/rowNorm';
import { NARROWEST_RULE, anyNumeric, narrowestExact, type RowKernel } from './kernel';

/** The seed's computation: src/workers/compute/rowNorm.ts, with its IEEE and rescaling rules. */
export const norm: RowKernel = {
  name: 'norm',
  description: 'Euclidean (L2) norm of each row or frame: sqrt of the sum of squares, without intermediate overflow',
  accepts: 'any integer or float dataset of rank ≥ 1',
  outputRule: NARROWEST_RULE,
  refuses: anyNumeric,
  outputType: narrowestExact,
  computeInto: rowNormsInto,
  numpy: 'row_norms',
};
