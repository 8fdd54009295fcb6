import type { Layout } from '@shared/entities';
import { chunkedLayout, chunkList } from './chunkIndex';
import type { ByteStore } from '../transaction/byteStore';
import { ByteFile, bytesAt, objectHeaderAt, readObjectHeader, readSuperblock, type HeaderMessage, type Superblock } from './rawFormat';

const LAYOUT_MESSAGE = 0x08;
const EXTERNAL_FILES_MESSAGE = 0x07;
const CLASSES: Layout[] = ['compact', 'contiguous', 'chunked', 'virtual'];

export interface StoredLayout {
  layout?: Layout;
  /** Bytes the values take in the file (after compression), where the layout records it. */
  storageBytes?: number;
}

/**
 * What a dataset's Data Layout message records: its storage class and the bytes
 * it takes on disk. h5wasm tells chunked and virtual datasets apart but not
 * compact from contiguous, and does not report storage sizes, so this reads the
 * message from the file itself. Empty when it cannot be read (the path crosses an
 * external link, or the format is one this reader does not know).
 */
export function storedLayout(filePath: string, datasetPath: string): StoredLayout {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(filePath);
    const superblock = readSuperblock(file);
    const address = objectHeaderAt(file, superblock, datasetPath);
    if (address === undefined) return {};
    const message = readObjectHeader(file, superblock, address).messages.find((m) => m.type === LAYOUT_MESSAGE);
    if (!message) return {};
    // Versions 1 and 2 put the class after the dimensionality; 3 and later right after the version.
    const layout = CLASSES[message.data[0] <= 2 ? message.data[2] : message.data[1]];
    return { layout, storageBytes: storageBytes(file, superblock, message, layout) };
  } catch {
    return {};
  } finally {
    file?.close();
  }
}

function storageBytes(file: ByteStore, sb: Superblock, message: HeaderMessage, layout: Layout | undefined): number | undefined {
  const data = message.data;
  if (data[0] !== 3) return undefined;
  if (layout === 'compact') return data.readUInt16LE(2);
  if (layout === 'contiguous' && sb.lengthSize === 8) {
    const address = data.readBigUInt64LE(2);
    return address === 0xffffffffffffffffn ? 0 : Number(data.readBigUInt64LE(2 + sb.offsetSize));
  }
  if (layout === 'chunked') {
    const chunked = chunkedLayout(message, sb);
    if (!chunked) return undefined;
    if (chunked.btree === undefined) return 0;
    return chunkList(file, sb, chunked.btree, chunked.chunkShape.length + 1).reduce((sum, c) => sum + c.size, 0);
  }
  return undefined;
}

/**
 * The file names in a dataset's External Data Files message (external raw
 * storage), which h5wasm does not report; empty when it has none or the
 * message cannot be read.
 */
export function externalStorageFiles(filePath: string, datasetPath: string): string[] {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(filePath);
    const sb = readSuperblock(file);
    const address = objectHeaderAt(file, sb, datasetPath);
    if (address === undefined) return [];
    const message = readObjectHeader(file, sb, address).messages.find((m) => m.type === EXTERNAL_FILES_MESSAGE);
    if (!message) return [];
    const data = message.data;
    const used = data.readUInt16LE(6);
    const heapAddress = sb.base + Number(readSized(data, 8, sb.offsetSize));
    const heap = bytesAt(file, heapAddress, 8 + 2 * sb.lengthSize + sb.offsetSize);
    if (heap.subarray(0, 4).toString('latin1') !== 'HEAP') return [];
    const heapSize = Number(readSized(heap, 8, sb.lengthSize));
    const heapData = bytesAt(file, sb.base + Number(readSized(heap, 8 + 2 * sb.lengthSize, sb.offsetSize)), Math.min(heapSize, 1 << 20));
    const names: string[] = [];
    for (let slot = 0, p = 8 + sb.offsetSize; slot < used && p + sb.lengthSize <= data.length; slot++, p += 3 * sb.lengthSize) {
      const nameOffset = Number(readSized(data, p, sb.lengthSize));
      const end = heapData.indexOf(0, nameOffset);
      names.push(heapData.subarray(nameOffset, end < 0 ? heapData.length : end).toString('utf8'));
    }
    return [...new Set(names)];
  } catch {
    return [];
  } finally {
    file?.close();
  }
}

function readSized(bytes: Buffer, at: number, size: number): bigint {
  return size === 8 ? bytes.readBigUInt64LE(at) : BigInt(bytes.readUInt32LE(at));
}
