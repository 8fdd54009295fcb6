import type { ByteStore } from '../transaction/byteStore';
import { bytesAt, type Superblock } from './rawFormat';

// A group with many links (more than 8 by default) keeps them "densely": each
// link message is an object in a fractal heap named by the group's Link Info
// message (HDF5 File Format Specification 3, sections III.G and IV.A.2.c).
// h5wasm tells a user-defined link from a group by nothing, so the tree reads
// the links' own messages from here, as it does from a compact group's header.

const NO_ADDRESS = 0xffffffffffffffffn;

/**
 * The encoded link messages of a group stored densely, from the heap's root
 * direct block or the direct blocks of its root indirect block (where every
 * group of a few hundred links keeps them). Messages are read one after the
 * other from each block's start, as libhdf5 allocates them; a block read stops
 * at the first byte that does not begin a link message (free space, or a gap
 * a deleted link left), so a link may be missed but never invented. Undefined
 * when the group is not stored densely or its heap is filtered.
 */
export function denseLinkMessages(file: ByteStore, sb: Superblock, linkInfo: Buffer): Buffer[] | undefined {
  const O = sb.offsetSize;
  const L = sb.lengthSize;
  const flags = linkInfo[1];
  const heapAddress = readAddress(linkInfo, 2 + (flags & 1 ? 8 : 0), O);
  if (heapAddress === undefined) return undefined;
  const headerLength = 4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L + 2 + L + L + 2 + 2 + O + 2;
  const header = bytesAt(file, sb.base + heapAddress, headerLength);
  if (header.subarray(0, 4).toString('latin1') !== 'FRHP') return undefined;
  const filterLength = header.readUInt16LE(7);
  if (filterLength > 0) return undefined;
  const heapFlags = header[9];
  let p = 4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L;
  const tableWidth = header.readUInt16LE(p);
  p += 2;
  const startingBlockSize = readLength(header, p, L);
  const maxDirectBlockSize = readLength(header, p + L, L);
  p += 2 * L;
  const maxHeapSizeBits = header.readUInt16LE(p);
  p += 4; // and the starting number of rows
  const rootAddress = readAddress(header, p, O);
  const currentRows = header.readUInt16LE(p + O);
  if (rootAddress === undefined) return [];
  // A damaged heap header must not make the reader allocate what the file cannot hold.
  const fileSize = file.size();
  if (startingBlockSize > fileSize || currentRows * tableWidth * O > fileSize) return undefined;

  const blockOffsetBytes = Math.ceil(maxHeapSizeBits / 8);
  const blockHeader = 4 + 1 + O + blockOffsetBytes + (heapFlags & 0x02 ? 4 : 0);
  const directBlocks: { address: number; size: number }[] = [];
  if (currentRows === 0) {
    directBlocks.push({ address: rootAddress, size: startingBlockSize });
  } else {
    const indirectHeader = 4 + 1 + O + blockOffsetBytes;
    const entries = bytesAt(file, sb.base + rootAddress, indirectHeader + currentRows * tableWidth * O);
    if (entries.subarray(0, 4).toString('latin1') !== 'FHIB') return undefined;
    for (let row = 0; row < currentRows; row++) {
      const size = startingBlockSize * (row <= 1 ? 1 : 2 ** (row - 1));
      // Rows of larger blocks hold indirect blocks: not read here.
      if (size > maxDirectBlockSize) break;
      for (let column = 0; column < tableWidth; column++) {
        const address = readAddress(entries, indirectHeader + (row * tableWidth + column) * O, O);
        if (address !== undefined) directBlocks.push({ address, size });
      }
    }
  }

  const messages: Buffer[] = [];
  for (const block of directBlocks) {
    if (block.size > fileSize) break;
    const bytes = bytesAt(file, sb.base + block.address, block.size);
    if (bytes.subarray(0, 4).toString('latin1') !== 'FHDB') continue;
    for (let at = blockHeader; at < bytes.length;) {
      const length = linkMessageLength(bytes, at, O);
      if (length === undefined) break;
      messages.push(bytes.subarray(at, at + length));
      at += length;
    }
  }
  return messages;
}

/** The length of the link message starting at `at`, or undefined when none starts there. */
function linkMessageLength(bytes: Buffer, at: number, offsetSize: number): number | undefined {
  if (at + 4 > bytes.length || bytes[at] !== 1) return undefined;
  const flags = bytes[at + 1];
  if (flags & 0xe0) return undefined;
  let p = at + 2;
  const linkType = flags & 0x08 ? bytes[p++] : 0;
  if (linkType !== 0 && linkType !== 1 && linkType < 64) return undefined;
  if (flags & 0x04) p += 8;
  if (flags & 0x10) p += 1;
  const lengthBytes = 1 << (flags & 3);
  if (p + lengthBytes > bytes.length) return undefined;
  const nameLength = Number(bytes.readUIntLE(p, Math.min(lengthBytes, 6)));
  p += lengthBytes;
  if (nameLength === 0) return undefined;
  p += nameLength;
  if (linkType === 0) p += offsetSize;
  else {
    if (p + 2 > bytes.length) return undefined;
    p += 2 + bytes.readUInt16LE(p);
  }
  return p <= bytes.length ? p - at : undefined;
}

function readAddress(bytes: Buffer, at: number, size: number): number | undefined {
  if (size !== 8) return undefined;
  const value = bytes.readBigUInt64LE(at);
  return value === NO_ADDRESS ? undefined : Number(value);
}

function readLength(bytes: Buffer, at: number, size: number): number {
  return size === 8 ? Number(bytes.readBigUInt64LE(at)) : bytes.readUInt32LE(at);
}
