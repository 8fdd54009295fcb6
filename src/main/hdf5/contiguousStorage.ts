import type { ByteStore } from '../transaction/byteStore';
import { withObjectMessages } from './rawFormat';

/**
 * Direct reads of a contiguous dataset for the pool strategy: its values are
 * one run of bytes at a known address, so a block is one read of the file into
 * the buffer that goes to a worker. Through h5wasm the same block is read into
 * the wasm heap and copied out again, which made the main thread's reading the
 * pool's bottleneck on contiguous inputs.
 *
 * Taken only when nothing can differ from what HDF5 would hand back: a Data
 * Layout message of version 3 or 4, class contiguous, with an address inside the
 * file and exactly the dataset's size, no external storage, no filters, and
 * (checked by the caller) little-endian elements. Anything else returns
 * undefined and is read through h5wasm as usual.
 */
export interface ContiguousStorage {
  /** Absolute file offset of the first element. */
  address: number;
  rowBytes: number;
}

const LAYOUT_MESSAGE = 0x08;
const EXTERNAL_FILES_MESSAGE = 0x07;
const FILTER_PIPELINE_MESSAGE = 0x0b;
const CONTIGUOUS = 1;

/** `source`: the file's path, or a run's view of it (src/main/transaction), which is the file the run holds. */
export function findContiguousStorage(source: string | ByteStore, datasetPath: string, rows: number, rowBytes: number): ContiguousStorage | undefined {
  return withObjectMessages(source, datasetPath, (file, sb, messages) => {
    if (messages.some((m) => m.type === EXTERNAL_FILES_MESSAGE || m.type === FILTER_PIPELINE_MESSAGE)) return undefined;
    const layout = messages.find((m) => m.type === LAYOUT_MESSAGE)?.data;
    if (!layout || layout.length < 18 || (layout[0] !== 3 && layout[0] !== 4) || layout[1] !== CONTIGUOUS) return undefined;
    const stored = layout.readBigUInt64LE(2);
    const size = layout.readBigUInt64LE(10);
    const bytes = BigInt(rows) * BigInt(rowBytes);
    if (stored === 0xffffffffffffffffn || size !== bytes) return undefined;
    const address = sb.base + Number(stored);
    if (!Number.isSafeInteger(address) || address + Number(bytes) > file.size()) return undefined;
    return { address, rowBytes };
  });
}

/** Rows [rowStart, rowEnd) at the start of one ArrayBuffer (`into`, when it is large enough), transferable to a worker. */
export function readContiguousRows(file: ByteStore, storage: ContiguousStorage, rowStart: number, rowEnd: number, into?: ArrayBuffer): ArrayBuffer {
  const length = (rowEnd - rowStart) * storage.rowBytes;
  const bytes = new Uint8Array(into && into.byteLength >= length ? into : new ArrayBuffer(length));
  const position = storage.address + rowStart * storage.rowBytes;
  if (file.read(bytes, 0, length, position) !== length) throw new Error(`the file ends inside the dataset's storage, at byte ${position}`);
  return bytes.buffer;
}
