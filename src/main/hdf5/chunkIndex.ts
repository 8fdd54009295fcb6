import type { ByteStore } from '../transaction/byteStore';
import { ByteFile, bytesAt, objectHeaderAt, readObjectHeader, readSuperblock, withObjectMessages, type HeaderMessage, type Superblock } from './rawFormat';

/**
 * Direct chunk access for the pool strategy: the main thread finds a chunked
 * dataset's chunks in the file and reads their stored (compressed) bytes;
 * workers inflate and unshuffle them with Node's native zlib, in parallel.
 * Through h5wasm, HDF5 decompresses on the one thread that reads, with a
 * WebAssembly shuffle about 4× slower than native, which made decompression
 * the bottleneck of every strategy but shard.
 *
 * Only the common case is taken this way: a 2-D dataset (or another rank
 * whose chunks span every axis but the first) whose chunks are
 * indexed by a version 1 B-tree (what h5py, h5wasm and libhdf5 write unless
 * asked for the newest format) and filtered by deflate and/or shuffle, every
 * chunk present. Anything else (fletcher32, plugins, newer chunk indexes, chunks
 * never written) returns undefined and is read through h5wasm as usual.
 */
export interface ChunkLayout {
  /** Rows and columns of one chunk. */
  chunkShape: [number, number];
  /** Filter ids in the order they were applied when writing. */
  filters: number[];
  /** Stored chunks, sorted by first row then first column. */
  chunks: StoredChunk[];
}

export interface StoredChunk {
  row: number;
  column: number;
  address: number;
  size: number;
  /** Bit i set: filter i of the pipeline was skipped for this chunk. */
  filterMask: number;
}

const DEFLATE = 1;
const SHUFFLE = 2;
export const DIRECT_FILTERS = new Set([DEFLATE, SHUFFLE]);

/** `source`: the file's path, or a run's view of it (src/main/transaction), which is the file the run holds. */
export function findChunkLayout(source: string | ByteStore, datasetPath: string, shape: readonly number[], elementBytes: number): ChunkLayout | undefined {
  return withObjectMessages(source, datasetPath, (file, superblock, messages) => {
    const layout = chunkedLayout(messages.find((m) => m.type === 0x08), superblock);
    if (!layout || layout.chunkShape.length !== shape.length || layout.elementBytes !== elementBytes) return undefined;
    if (layout.chunkShape.some((extent) => extent < 1)) return undefined;
    // Other ranks are seen as rows of their flattened trailing axes: taken here
    // only when a chunk spans those axes whole (1-D series; frame-by-frame chunks).
    if (shape.length !== 2 && layout.chunkShape.slice(1).some((extent, axis) => extent !== shape[axis + 1])) return undefined;
    const filters = filterIds(messages.find((m) => m.type === 0x0b));
    if (!filters || filters.some((id) => !DIRECT_FILTERS.has(id))) return undefined;
    const chunks = layout.btree === undefined ? [] : chunkList(file, superblock, layout.btree, layout.chunkShape.length + 1);
    const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
    const [rows, columns] = shape.length === 2 ? shape : [shape[0], rowLength];
    const [chunkRows, chunkColumns] = shape.length === 2 ? layout.chunkShape : [layout.chunkShape[0], rowLength];
    // Past the first two axes a chunk's offsets are 0 (it spans them), as is the element-size "axis" of a 1-D key.
    if (shape.length !== 2) for (const chunk of chunks) chunk.column = 0;
    const expected = Math.ceil(rows / chunkRows) * Math.ceil(columns / chunkColumns);
    if (chunks.length !== expected) return undefined;
    chunks.sort((a, b) => a.row - b.row || a.column - b.column);
    // Exactly one chunk at every point of the chunk grid (a damaged index could repeat one and miss another).
    const onGrid = (chunk: StoredChunk, i: number) => {
      const previous = chunks[i - 1];
      return chunk.row % chunkRows === 0 && chunk.column % chunkColumns === 0 && chunk.row < rows && chunk.column < columns
        && (previous === undefined || previous.row !== chunk.row || previous.column !== chunk.column);
    };
    if (!chunks.every(onGrid)) return undefined;
    return { chunkShape: [chunkRows, chunkColumns] as [number, number], filters, chunks };
  });
}

export function chunkedLayout(message: HeaderMessage | undefined, sb: Superblock): { btree?: number; chunkShape: number[]; elementBytes: number } | undefined {
  if (!message) return undefined;
  const data = message.data;
  const version = data[0];
  let p: number;
  let dimensionality: number;
  if (version === 3) {
    if (data[1] !== 2) return undefined;
    dimensionality = data[2];
    p = 3;
  } else if (version === 1 || version === 2) {
    if (data[2] !== 2) return undefined;
    dimensionality = data[1];
    p = 8;
  } else {
    return undefined; // version 4 chunk indexes (fixed/extensible arrays, v2 B-trees)
  }
  const btree = Number(data.readBigUInt64LE(p));
  p += sb.offsetSize;
  const dims: number[] = [];
  for (let i = 0; i < dimensionality; i++) dims.push(data.readUInt32LE(p + 4 * i));
  // The last "dimension" is the element size in bytes.
  return { btree: btree === 2 ** 64 - 1 ? undefined : sb.base + btree, chunkShape: dims.slice(0, -1), elementBytes: dims.at(-1) ?? 0 };
}

/** The filter ids of a dataset's pipeline, read from the file itself (works when h5wasm is dead or the header half-readable); undefined when it cannot be read. */
export function datasetFilterIds(filePath: string, datasetPath: string): number[] | undefined {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(filePath);
    const superblock = readSuperblock(file);
    const address = objectHeaderAt(file, superblock, datasetPath);
    if (address === undefined) return undefined;
    return filterIds(readObjectHeader(file, superblock, address).messages.find((m) => m.type === 0x0b));
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

function filterIds(message: HeaderMessage | undefined): number[] | undefined {
  if (!message) return [];
  const data = message.data;
  const version = data[0];
  const count = data[1];
  const ids: number[] = [];
  let p = version === 1 ? 8 : 2;
  for (let i = 0; i < count; i++) {
    const id = data.readUInt16LE(p);
    p += 2;
    let nameLength = 0;
    if (version === 1 || id >= 256) {
      nameLength = data.readUInt16LE(p);
      p += 2;
    }
    p += 2; // flags
    const values = data.readUInt16LE(p);
    p += 2;
    p += version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength;
    p += 4 * values;
    if (version === 1 && values % 2 === 1) p += 4;
    ids.push(id);
  }
  return ids;
}

/** Walks a version 1 B-tree of raw data chunks (node type 1) down to its chunk records. */
export function chunkList(file: ByteStore, sb: Superblock, root: number, keyDims: number): StoredChunk[] {
  const keyBytes = 8 + 8 * keyDims;
  const chunks: StoredChunk[] = [];
  const visit = (node: number) => {
    const head = bytesAt(file, node, 8 + 2 * sb.offsetSize);
    if (head.subarray(0, 4).toString('latin1') !== 'TREE' || head[4] !== 1) throw new Error('not a chunk B-tree node');
    const level = head[5];
    const used = head.readUInt16LE(6);
    const body = bytesAt(file, node + 8 + 2 * sb.offsetSize, used * (keyBytes + sb.offsetSize) + keyBytes);
    for (let i = 0; i < used; i++) {
      const key = i * (keyBytes + sb.offsetSize);
      const child = sb.base + Number(body.readBigUInt64LE(key + keyBytes));
      if (level > 0) {
        visit(child);
        continue;
      }
      chunks.push({
        size: body.readUInt32LE(key),
        filterMask: body.readUInt32LE(key + 4),
        row: Number(body.readBigUInt64LE(key + 8)),
        column: Number(body.readBigUInt64LE(key + 16)),
        address: child,
      });
    }
  };
  visit(root);
  return chunks;
}

/** The stored chunks a block of rows needs, in order (chunks are sorted by row, so the first is found by bisection). */
export function chunksForRows(layout: ChunkLayout, rowStart: number, rowEnd: number): StoredChunk[] {
  const [chunkRows] = layout.chunkShape;
  const { chunks } = layout;
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (chunks[middle].row + chunkRows <= rowStart) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < chunks.length && chunks[end].row < rowEnd) end++;
  return chunks.slice(low, end);
}

/**
 * Reads the stored bytes of `chunks` into one ArrayBuffer (`into` when it is large enough; transferable to
 * a worker), laid end to end; returns where each starts. Chunks that lie end to
 * end in the file (as HDF5 usually writes them) are read in one call.
 */
export function readStoredChunks(file: ByteStore, chunks: StoredChunk[], into?: ArrayBuffer): { buffer: ArrayBuffer; offsets: number[] } {
  const total = chunks.reduce((sum, c) => sum + c.size, 0);
  const bytes = new Uint8Array(into && into.byteLength >= total ? into : new ArrayBuffer(total));
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < chunks.length;) {
    let end = i + 1;
    let length = chunks[i].size;
    while (end < chunks.length && chunks[end].address === chunks[end - 1].address + chunks[end - 1].size) length += chunks[end++].size;
    if (file.read(bytes, at, length, chunks[i].address) !== length) throw new Error(`the file ends inside a chunk at byte ${chunks[i].address}`);
    for (; i < end; i++) {
      offsets.push(at);
      at += chunks[i].size;
    }
  }
  return { buffer: bytes.buffer, offsets };
}
