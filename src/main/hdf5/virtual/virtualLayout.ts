import type { ByteStore } from '../../transaction/byteStore';
import { lookup3 } from '../checksum';
import { bytesAt, objectHeaderAt, readObjectHeader, readSuperblock, resealChunk, type HeaderMessage, type Superblock } from '../rawFormat';
import { collectionObject, encodeCollection, readLength } from './globalHeap';
import { decodeMappings, encodeMappings, type VirtualMapping } from './mappings';

const DATASPACE_MESSAGE = 0x01;
const LAYOUT_MESSAGE = 0x08;
const LAYOUT_VIRTUAL = 3;
const HEAP_OBJECT_INDEX = 1;

/**
 * Turns a dataset h5wasm created (1-D, contiguous, zero rows: no storage) into
 * a virtual dataset of `rows` rows, by editing the file, since h5wasm cannot
 * create one (no H5Pset_virtual). The mappings go into a new global heap
 * collection appended at the end of the file (the superblock's end-of-file
 * address grows to cover it); the Data Layout message becomes version 4,
 * class 3, pointing at it; the dataspace's dimensions become `rows`. The
 * contiguous layout message (18 bytes with 8-byte addresses) has room for the
 * virtual one (14), whose decoder reads only what it needs. Works on version-1
 * headers (superblock-0 files, libhdf5's default) and on version-2 headers
 * (h5wasm's new files), whose chunk checksum is recomputed.
 *
 * The file must be closed in h5wasm; every byte goes through `store`, so inside
 * a transaction the edit is logged like HDF5's own writes.
 */
export function makeVirtual(store: ByteStore, datasetPath: string, rows: number, mappings: VirtualMapping[]): void {
  const sb = readSuperblock(store);
  const address = objectHeaderAt(store, sb, datasetPath);
  if (address === undefined) throw new Error(`${datasetPath} was not found in the file`);
  const header = readObjectHeader(store, sb, address);
  const layout = header.messages.find((m) => m.type === LAYOUT_MESSAGE);
  const dataspace = header.messages.find((m) => m.type === DATASPACE_MESSAGE);
  if (!layout || !dataspace) throw new Error(`${datasetPath} has no layout or dataspace message`);
  const newLayout = Buffer.alloc(2 + sb.offsetSize + 4);
  if (newLayout.length > layout.data.length) throw new Error(`${datasetPath}: its layout message has no room for a virtual layout`);

  newLayout[0] = 4;
  newLayout[1] = LAYOUT_VIRTUAL;
  if (mappings.length === 0) {
    // As libhdf5 writes a virtual dataset without mappings (zero rows): no heap object, an undefined address.
    newLayout.fill(0xff, 2, 2 + sb.offsetSize);
    newLayout.writeUInt32LE(0, 2 + sb.offsetSize);
  } else {
    const heapAt = appendToFile(store, sb, encodeCollection(encodeMappings(mappings, sb.lengthSize), sb.lengthSize));
    writeOffset(newLayout, 2, heapAt - sb.base, sb.offsetSize);
    newLayout.writeUInt32LE(HEAP_OBJECT_INDEX, 2 + sb.offsetSize);
  }
  overwrite(store, layout, newLayout);
  overwrite(store, dataspace, resizedDataspace(dataspace.data, rows, sb.lengthSize));
  for (const chunk of new Map([layout.chunk, dataspace.chunk].map((c) => [c.start, c])).values()) resealChunk(store, chunk);
}

/**
 * Renames a virtual dataset's source files (a copy of the file whose shard
 * folder has another name, or sources given by absolute path): the mappings go
 * into a new global heap collection and the layout message points at it; the
 * old collection stays, unreachable, like any freed HDF5 object.
 */
export function renameSources(store: ByteStore, datasetPath: string, rename: (file: string) => string): boolean {
  const mappings = readMappings(store, datasetPath);
  if (!mappings) return false;
  const renamed = mappings.map((m) => ({ ...m, file: m.file === '.' ? m.file : rename(m.file) }));
  if (renamed.every((m, i) => m.file === mappings[i].file)) return false;
  const sb = readSuperblock(store);
  const layout = readObjectHeader(store, sb, objectHeaderAt(store, sb, datasetPath)!).messages.find((m) => m.type === LAYOUT_MESSAGE)!;
  const heapAt = appendToFile(store, sb, encodeCollection(encodeMappings(renamed, sb.lengthSize), sb.lengthSize));
  const data = Buffer.from(layout.data);
  writeOffset(data, 2, heapAt - sb.base, sb.offsetSize);
  data.writeUInt32LE(HEAP_OBJECT_INDEX, 2 + sb.offsetSize);
  overwrite(store, layout, data);
  resealChunk(store, layout.chunk);
  return true;
}

/** The mappings of the virtual dataset at `datasetPath`, or undefined when it is not virtual. */
export function readMappings(store: ByteStore, datasetPath: string): VirtualMapping[] | undefined {
  const sb = readSuperblock(store);
  const address = objectHeaderAt(store, sb, datasetPath);
  if (address === undefined) return undefined;
  const layout = readObjectHeader(store, sb, address).messages.find((m) => m.type === LAYOUT_MESSAGE);
  if (!layout || layout.data[0] !== 4 || layout.data[1] !== LAYOUT_VIRTUAL) return undefined;
  if (layout.data.subarray(2, 2 + sb.offsetSize).every((b) => b === 0xff)) return [];
  const heapAt = sb.base + readLength(layout.data, 2, sb.offsetSize);
  const index = layout.data.readUInt32LE(2 + sb.offsetSize);
  const head = bytesAt(store, heapAt, 8 + sb.lengthSize);
  const size = readLength(head, 8, sb.lengthSize);
  if (size < head.length || size > 1 << 30) throw new Error('global heap collection has an impossible size');
  return decodeMappings(collectionObject(bytesAt(store, heapAt, size), index, sb.lengthSize), sb.lengthSize);
}

function overwrite(store: ByteStore, message: HeaderMessage, data: Buffer): void {
  const padded = Buffer.alloc(message.data.length);
  data.copy(padded);
  store.writeAt(message.dataAt, padded);
}

/** A rank-1 dataspace message (version 1 or 2) with its size (and maximum, if stored) set to `rows`. */
function resizedDataspace(data: Buffer, rows: number, lengthSize: number): Buffer {
  const version = data[0];
  const rank = data[1];
  const flags = data[2];
  if (rank !== 1 || (version !== 1 && version !== 2)) throw new Error(`the output's dataspace (version ${version}, rank ${rank}) is not a 1-D one this writer knows`);
  const dims = version === 1 ? 8 : 4;
  const copy = Buffer.from(data);
  writeLength(copy, dims, rows, lengthSize);
  if (flags & 1) writeLength(copy, dims + lengthSize, rows, lengthSize);
  return copy;
}

/**
 * Appends bytes at the file's end of allocated space, 8-byte aligned, and moves
 * the superblock's end-of-file address past them (recomputing a version 2/3
 * superblock's checksum): HDF5 refuses to read beyond that address.
 */
function appendToFile(store: ByteStore, sb: Superblock, bytes: Buffer): number {
  const eofField = sb.version <= 1 ? sb.at + 24 + (sb.version === 1 ? 4 : 0) + 2 * sb.offsetSize : sb.at + 12 + 2 * sb.offsetSize;
  const recorded = sb.base + readLength(bytesAt(store, eofField, sb.offsetSize), 0, sb.offsetSize);
  const at = Math.ceil(Math.max(recorded, store.size()) / 8) * 8;
  store.writeAt(at, bytes);
  const eof = Buffer.alloc(sb.offsetSize);
  writeOffset(eof, 0, at + bytes.length - sb.base, sb.offsetSize);
  store.writeAt(eofField, eof);
  if (sb.version >= 2) {
    const length = 12 + 4 * sb.offsetSize;
    const head = bytesAt(store, sb.at, length);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32LE(lookup3(head));
    store.writeAt(sb.at + length, checksum);
  }
  return at;
}

function writeOffset(bytes: Buffer, at: number, value: number, size: number): void {
  writeLength(bytes, at, value, size);
}

function writeLength(bytes: Buffer, at: number, value: number, size: number): void {
  if (size === 8) bytes.writeBigUInt64LE(BigInt(value), at);
  else bytes.writeUInt32LE(value, at);
}
