import { INTEGER_KINDS, alwaysFloat64, type RowKernel, blockElements } from './kernel';

export const nanCount: RowKernel = {
  name: 'nan-count',
  description: 'Number of NaN values in each row or frame',
  accepts: 'any float dataset of rank ≥ 1 (integers hold no NaN)',
  outputRule: 'float64 (counts are exact below 2^53)',
  refuses: ({ kind }) => INTEGER_KINDS.includes(kind) ? `holds integers (${kind}), which cannot be NaN: every count would be 0` : undefined,
  outputType: alwaysFloat64,
  computeInto(block, out) {
    const v = blockElements(block);
    for (let r = 0, base = 0; r < block.rows; r++, base += block.columns) {
      let n = 0;
      for (let c = 0; c < block.columns; c++) if (v[base + c] !== v[base + c]) n++;
      out[r] = n;
    }
  },
  numpy: 'row_nan_count',
};
