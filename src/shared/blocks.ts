// Block planning, shared by the engine and the run panel (which shows the default a run will use).
export interface BlockPlan {
  index: number;
  rowStart: number;
  rowEnd: number;
}

export function planBlocks(rows: number, blockRows: number): BlockPlan[] {
  const blocks: BlockPlan[] = [];
  for (let rowStart = 0, index = 0; rowStart < rows; rowStart += blockRows, index++) {
    blocks.push({ index, rowStart, rowEnd: Math.min(rows, rowStart + blockRows) });
  }
  return blocks;
}

/** Aim for blocks of about this many input bytes: large enough to amortise per-block costs, small enough to keep every worker busy. */
const TARGET_BLOCK_BYTES = 8 * 2 ** 20;

/**
 * The default block: whole chunks (a block that splits a chunk makes HDF5 decompress it twice),
 * about TARGET_BLOCK_BYTES of input, and at least two blocks per worker when the data allows.
 */
export function defaultBlockRows(rows: number, rowBytes: number, chunkRows: number | undefined, workers: number, targetBytes = TARGET_BLOCK_BYTES): number {
  const unit = Math.max(1, chunkRows ?? 1);
  let target = Math.max(1, Math.floor(targetBytes / Math.max(1, rowBytes)));
  target = Math.min(target, Math.ceil(rows / Math.max(1, 2 * workers)));
  const chunks = Math.max(1, Math.round(target / unit));
  return Math.max(1, chunks * unit);
}
