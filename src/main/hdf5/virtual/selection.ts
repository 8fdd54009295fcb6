/**
 * Dataspace selections as a virtual dataset's mappings store them (HDF5 File
 * Format Specification, "Dataspace Selection"): "all", and hyperslabs in
 * version 1, the one HDF5 1.10 reads (version 3 is 1.12+). Version-1
 * coordinates are u32, so every row number must fit one.
 */

const SELECT_HYPERSLAB = 2;
const SELECT_ALL = 3;
export const MAX_U32 = 0xffffffff;

/** Rows [start, end) of a 1-D or N-D dataspace: one block per dimension pair (inclusive ends on disk). */
export type Selection = { kind: 'all' } | { kind: 'hyperslab'; blocks: { start: number[]; end: number[] }[] };

export function encodeSelection(selection: Selection): Buffer {
  if (selection.kind === 'all') {
    const bytes = Buffer.alloc(16);
    bytes.writeUInt32LE(SELECT_ALL, 0);
    bytes.writeUInt32LE(1, 4);
    return bytes;
  }
  const rank = selection.blocks[0]?.start.length ?? 0;
  if (rank === 0) throw new Error('a hyperslab selection needs at least one block');
  const length = 8 + selection.blocks.length * rank * 8;
  const bytes = Buffer.alloc(16 + length);
  bytes.writeUInt32LE(SELECT_HYPERSLAB, 0);
  bytes.writeUInt32LE(1, 4);
  // 8..12 reserved
  bytes.writeUInt32LE(length, 12);
  bytes.writeUInt32LE(rank, 16);
  bytes.writeUInt32LE(selection.blocks.length, 20);
  let p = 24;
  for (const block of selection.blocks) {
    if (block.start.length !== rank || block.end.length !== rank) throw new Error('hyperslab blocks of different ranks');
    for (const value of [...block.start, ...block.end]) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_U32) throw new Error(`coordinate ${value} does not fit a version-1 hyperslab (u32)`);
      bytes.writeUInt32LE(value, p);
      p += 4;
    }
  }
  return bytes;
}

/** Decodes one selection at `at`; returns it and the bytes it took. */
export function decodeSelection(bytes: Buffer, at: number): { selection: Selection; size: number } {
  const type = bytes.readUInt32LE(at);
  const version = bytes.readUInt32LE(at + 4);
  if (type === SELECT_ALL) {
    if (version !== 1) throw new Error(`"all" selection version ${version} is not known`);
    return { selection: { kind: 'all' }, size: 16 };
  }
  if (type !== SELECT_HYPERSLAB) throw new Error(`selection type ${type} is not supported (only "all" and hyperslabs)`);
  if (version !== 1) throw new Error(`hyperslab selection version ${version} is not supported (only version 1)`);
  const length = bytes.readUInt32LE(at + 12);
  const rank = bytes.readUInt32LE(at + 16);
  const count = bytes.readUInt32LE(at + 20);
  if (rank < 1 || rank > 32 || length !== 8 + count * rank * 8 || at + 16 + length > bytes.length) {
    throw new Error('hyperslab selection has an inconsistent length');
  }
  const blocks: { start: number[]; end: number[] }[] = [];
  let p = at + 24;
  for (let b = 0; b < count; b++) {
    const start: number[] = [];
    const end: number[] = [];
    for (let d = 0; d < rank; d++, p += 4) start.push(bytes.readUInt32LE(p));
    for (let d = 0; d < rank; d++, p += 4) end.push(bytes.readUInt32LE(p));
    blocks.push({ start, end });
  }
  return { selection: { kind: 'hyperslab', blocks }, size: 16 + length };
}

/** Rows [rowStart, rowEnd) of a 1-D dataspace. */
export function rowsSelection(rowStart: number, rowEnd: number): Selection {
  return { kind: 'hyperslab', blocks: [{ start: [rowStart], end: [rowEnd - 1] }] };
}
