import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { ByteStore } from '../transaction/byteStore';
import { lookup3 } from './checksum';
import { denseLinkMessages } from './denseLinks';

// A minimal reader of HDF5's on-disk format (superblock, object headers, links)
// for the two things h5wasm does not expose: a dataset's storage layout and
// deleting a link. It follows the HDF5 File Format Specification, version 3.

/** A file on disk as a ByteStore: for reading layouts, and for editing files outside a run. */
export class ByteFile implements ByteStore {
  private readonly fd: number;

  constructor(readonly path: string, mode: 'r' | 'r+' = 'r') {
    this.fd = openSync(path, mode);
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  readAt(position: number, length: number): Uint8Array {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, this.read(buffer, 0, length, position));
  }

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const got = readSync(this.fd, target, offset + done, length - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return done;
  }

  writeAt(position: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Exactly `length` bytes at `address` as a Buffer (for its readers), or an error for a short read. */
export function bytesAt(store: ByteStore, address: number, length: number): Buffer {
  const bytes = store.readAt(address, length);
  if (bytes.length !== length) throw new Error(`short read at ${address}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface Superblock {
  /** Where the superblock starts (after a user block) and its format version. */
  at: number;
  version: number;
  base: number;
  offsetSize: number;
  lengthSize: number;
  /** Address (absolute) of the root group's object header. */
  rootObjectHeader: number;
  /** Old-style root: its symbol table, cached in the superblock's root entry. */
  rootSymbolTable?: { btree: number; heap: number };
  /** File consistency flags (versions 2 and 3): how a libhdf5 writer marks the file it has open. */
  statusFlags?: number;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const UNDEFINED = -1;

function readUint(bytes: Buffer, at: number, size: number): number {
  if (size === 8) {
    const value = bytes.readBigUInt64LE(at);
    return value === 0xffffffffffffffffn ? UNDEFINED : Number(value);
  }
  if (size === 4) return bytes.readUInt32LE(at);
  if (size === 2) return bytes.readUInt16LE(at);
  return bytes.readUInt8(at);
}

/**
 * The driver a version 0 or 1 superblock names in its driver information block
 * ("NCSAfami": one member of a family of files; "NCSAmult": the metadata file
 * of a multi or split set), or undefined: such a file holds only part of the
 * data, the rest lying in sibling files that only that driver joins up.
 */
export function superblockDriver(file: ByteStore): string | undefined {
  try {
    const sb = readSuperblock(file);
    if (sb.version > 1 || sb.offsetSize !== 8) return undefined;
    const head = bytesAt(file, sb.at, 64);
    const driverInfo = readUint(head, 24 + (sb.version === 1 ? 4 : 0) + 3 * sb.offsetSize, sb.offsetSize);
    if (driverInfo === UNDEFINED) return undefined;
    const block = bytesAt(file, sb.base + driverInfo, 16);
    return block.subarray(8, 16).toString('latin1').replace(/\0+$/, '');
  } catch {
    return undefined;
  }
}

export function readSuperblock(file: ByteStore): Superblock {
  // The superblock sits at 0, 512, 1024, 2048… (after a user block).
  for (let at = 0; at < 1 << 20; at = at === 0 ? 512 : at * 2) {
    let head: Buffer;
    try {
      head = bytesAt(file, at, 128);
    } catch {
      break;
    }
    if (!head.subarray(0, 8).equals(SIGNATURE)) continue;
    const version = head[8];
    if (version === 0 || version === 1) {
      const offsetSize = head[13];
      const lengthSize = head[14];
      let p = 24 + (version === 1 ? 4 : 0);
      const base = readUint(head, p, offsetSize);
      p += 4 * offsetSize; // base, free-space, end-of-file, driver info
      // Root group symbol table entry: name offset, object header address, cache type, reserved, scratch pad.
      const objectHeader = readUint(head, p + offsetSize, offsetSize);
      const cacheType = head.readUInt32LE(p + 2 * offsetSize);
      const scratch = p + 2 * offsetSize + 8;
      const rootSymbolTable = cacheType === 1
        ? { btree: base + readUint(head, scratch, offsetSize), heap: base + readUint(head, scratch + offsetSize, offsetSize) }
        : undefined;
      return { at, version, base, offsetSize, lengthSize, rootObjectHeader: base + objectHeader, rootSymbolTable };
    }
    if (version === 2 || version === 3) {
      const offsetSize = head[9];
      const lengthSize = head[10];
      const base = readUint(head, 12, offsetSize);
      const root = readUint(head, 12 + 3 * offsetSize, offsetSize);
      return { at, version, base, offsetSize, lengthSize, rootObjectHeader: base + root, statusFlags: head[11] };
    }
    throw new Error(`superblock version ${version} is not supported`);
  }
  throw new Error('no HDF5 superblock found');
}

export interface FoundLink {
  /** Absolute address of the object the hard link points to. */
  address: number;
  remove(): void;
}

export function findLink(file: ByteStore, sb: Superblock, groupHeader: number, name: string): FoundLink | undefined {
  const header = readObjectHeader(file, sb, groupHeader);
  const symbolTable = header.messages.find((m) => m.type === 0x11);
  if (symbolTable) {
    const btree = sb.base + readUint(symbolTable.data, 0, sb.offsetSize);
    const heap = sb.base + readUint(symbolTable.data, sb.offsetSize, sb.offsetSize);
    return findInSymbolTable(file, sb, btree, heap, name);
  }
  const linkInfo = header.messages.find((m) => m.type === 0x02);
  if (linkInfo) {
    const flags = linkInfo.data[1];
    const heapAddress = readUint(linkInfo.data, 2 + (flags & 1 ? 8 : 0), sb.offsetSize);
    if (heapAddress !== UNDEFINED) throw new Error('the group stores its links densely (fractal heap), which h5blocks cannot edit');
  }
  for (const message of header.messages) {
    if (message.type !== 0x06) continue;
    const link = parseLinkMessage(message.data, sb.offsetSize);
    if (link.name !== name) continue;
    if (link.hardAddress === undefined) throw new Error(`"${name}" is a soft or external link, not an object`);
    return { address: sb.base + link.hardAddress, remove: () => header.nilMessage(message) };
  }
  // Old-style root groups may carry their table only in the superblock's cache.
  if (groupHeader === sb.rootObjectHeader && sb.rootSymbolTable) {
    return findInSymbolTable(file, sb, sb.rootSymbolTable.btree, sb.rootSymbolTable.heap, name);
  }
  return undefined;
}

export interface HeaderMessage {
  type: number;
  /** The message's flags; bit 1: the data is a reference to a shared message (a committed datatype, say). */
  flags: number;
  /** Absolute address of the message's type field. */
  at: number;
  /** Absolute address of its data. */
  dataAt: number;
  data: Buffer;
  /** The chunk holding it; `checksummed` (version 2 headers): its last 4 bytes are a lookup3 of the rest. */
  chunk: { start: number; length: number; checksummed: boolean };
}

export interface ObjectHeader {
  messages: HeaderMessage[];
  nilMessage(message: HeaderMessage): void;
}

export function readObjectHeader(file: ByteStore, sb: Superblock, address: number): ObjectHeader {
  const head = bytesAt(file, address, 16);
  const messages: HeaderMessage[] = [];
  let nil: (message: HeaderMessage) => void;
  if (head.subarray(0, 4).toString('latin1') === 'OHDR') {
    const flags = head[5];
    let p = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const prefix = bytesAt(file, address, p + sizeBytes);
    const chunkSize = readUint(prefix, p, sizeBytes);
    p += sizeBytes;
    const creationOrder = (flags & 0x04) !== 0;
    const chunks: { start: number; length: number; dataStart: number; dataEnd: number }[] = [
      { start: address, length: p + chunkSize + 4, dataStart: address + p, dataEnd: address + p + chunkSize },
    ];
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c];
      const bytes = bytesAt(file, chunk.dataStart, chunk.dataEnd - chunk.dataStart);
      for (let q = 0; q + 4 <= bytes.length;) {
        const type = bytes[q];
        const size = bytes.readUInt16LE(q + 1);
        const headerBytes = 4 + (creationOrder ? 2 : 0);
        if (q + headerBytes + size > bytes.length) break; // the gap at the end of a chunk
        const data = bytes.subarray(q + headerBytes, q + headerBytes + size);
        const message = { type, flags: bytes[q + 3], at: chunk.dataStart + q, dataAt: chunk.dataStart + q + headerBytes, data, chunk: { start: chunk.start, length: chunk.length, checksummed: true } };
        messages.push(message);
        if (type === 0x10) {
          const start = sb.base + readUint(data, 0, sb.offsetSize);
          const length = readUint(data, sb.offsetSize, sb.lengthSize);
          chunks.push({ start, length, dataStart: start + 4, dataEnd: start + length - 4 });
        }
        q += headerBytes + size;
      }
    }
    nil = (message) => {
      file.writeAt(message.at, Buffer.from([0]));
      resealChunk(file, message.chunk);
    };
  } else if (head[0] === 1) {
    const count = head.readUInt16LE(2);
    const size = head.readUInt32LE(8);
    const blocks = [{ start: address + 16, length: size }];
    for (let b = 0; b < blocks.length && messages.length < count; b++) {
      const bytes = bytesAt(file, blocks[b].start, blocks[b].length);
      for (let q = 0; q + 8 <= bytes.length && messages.length < count;) {
        const type = bytes.readUInt16LE(q);
        const msgSize = bytes.readUInt16LE(q + 2);
        const data = bytes.subarray(q + 8, q + 8 + msgSize);
        messages.push({ type, flags: bytes[q + 4], at: blocks[b].start + q, dataAt: blocks[b].start + q + 8, data, chunk: { start: blocks[b].start, length: blocks[b].length, checksummed: false } });
        if (type === 0x10) {
          blocks.push({ start: sb.base + readUint(data, 0, sb.offsetSize), length: readUint(data, sb.offsetSize, sb.lengthSize) });
        }
        q += 8 + msgSize;
      }
    }
    nil = (message) => file.writeAt(message.at, Buffer.from([0, 0]));
  } else {
    throw new Error(`object header at ${address} has an unknown format`);
  }
  return { messages, nilMessage: nil };
}

/** Recomputes a version-2 header chunk's checksum after its bytes changed (no-op for version 1). */
export function resealChunk(file: ByteStore, chunk: HeaderMessage['chunk']): void {
  if (!chunk.checksummed) return;
  const bytes = bytesAt(file, chunk.start, chunk.length);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(lookup3(bytes.subarray(0, bytes.length - 4)));
  file.writeAt(chunk.start + chunk.length - 4, checksum);
}

/**
 * The link type of each link of a group, from its link messages (in its
 * header, or in the fractal heap of dense storage): 0 hard, 1 soft, 64
 * external, 65 and up user-defined (its class). Undefined when the group keeps
 * its links in a symbol table (which holds only hard and soft links) or they
 * cannot be read.
 */
export function linkTypes(source: string, groupPath: string): Map<string, number> | undefined {
  return withObjectMessages(source, groupPath, (file, sb, messages) => {
    const linkInfo = messages.find((m) => m.type === 0x02);
    const links = messages.filter((m) => m.type === 0x06).map((m) => m.data);
    const dense = linkInfo ? denseLinkMessages(file, sb, linkInfo.data) : undefined;
    const all = [...links, ...(dense ?? [])];
    if (all.length === 0) return undefined;
    return new Map(all.map((data) => {
      const link = parseLinkMessage(data, sb.offsetSize);
      return [link.name, link.linkType] as const;
    }));
  });
}

/** An attribute as its header message declares it: its name and the dimensions its dataspace gives (null: a null dataspace). */
export interface DeclaredAttribute {
  name: string;
  shape: (number | bigint)[] | null;
}

/**
 * The attributes an object's header holds (compact storage), read from their
 * messages: for those h5wasm leaves out (a dataspace of absurd size, say),
 * which h5py and h5dump still list. Undefined when they cannot be read here.
 */
export function declaredAttributes(source: string, path: string): DeclaredAttribute[] | undefined {
  return withObjectMessages(source, path, (_file, sb, messages) =>
    messages.filter((m) => m.type === 0x0c && (m.flags & 0x02) === 0).map((m) => parseAttributeMessage(m.data, sb.lengthSize)));
}

function parseAttributeMessage(data: Buffer, lengthSize: number): DeclaredAttribute {
  const version = data[0];
  const nameSize = data.readUInt16LE(2);
  const datatypeSize = data.readUInt16LE(4);
  const dataspaceSize = data.readUInt16LE(6);
  const padded = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let p = version === 3 ? 9 : 8;
  const name = data.subarray(p, p + nameSize).toString('utf8').replace(/\0+$/, '');
  p += padded(nameSize) + padded(datatypeSize);
  return { name, shape: parseDataspace(data.subarray(p, p + dataspaceSize), lengthSize) };
}

/** A Dataspace message's dimensions; null for a null dataspace, [] for a scalar. */
function parseDataspace(space: Buffer, lengthSize: number): (number | bigint)[] | null {
  const spaceVersion = space[0];
  const rank = space[1];
  if (spaceVersion === 2 && space[3] === 2) return null;
  const dimsAt = spaceVersion === 1 ? 8 : 4;
  const shape: (number | bigint)[] = [];
  for (let i = 0; i < rank; i++) {
    const dim = lengthSize === 8 ? space.readBigUInt64LE(dimsAt + i * 8) : BigInt(readUint(space, dimsAt + i * lengthSize, lengthSize));
    shape.push(dim <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(dim) : dim);
  }
  return shape;
}

/** A dataset as its header declares it: its dimensions and its element type's class code and size. */
export interface DeclaredDataset {
  shape: (number | bigint)[] | null;
  typeClass: number;
  typeSize: number;
}

/**
 * The dataset at `path` as its header messages declare it, for one the HDF5
 * library refuses to open (HDF5 2.0 refuses a type whose size is far larger
 * than its precision, which 1.10 and h5py open): shown as what it is. Undefined
 * when the object is not a dataset or its messages cannot be read here
 * (a committed datatype is not followed).
 */
export function declaredDataset(source: string, path: string): DeclaredDataset | undefined {
  return withObjectMessages(source, path, (_file, sb, messages) => {
    const space = messages.find((m) => m.type === 0x01);
    const type = messages.find((m) => m.type === 0x03);
    if (!space || !type || (type.flags & 0x02) !== 0) return undefined;
    return { shape: parseDataspace(space.data, sb.lengthSize), typeClass: type.data[0] & 0x0f, typeSize: type.data.readUInt32LE(4) };
  });
}

function parseLinkMessage(data: Buffer, offsetSize: number): { name: string; linkType: number; hardAddress?: number } {
  const flags = data[1];
  let p = 2;
  let linkType = 0;
  if (flags & 0x08) linkType = data[p++];
  if (flags & 0x04) p += 8;
  if (flags & 0x10) p += 1;
  const lengthBytes = 1 << (flags & 3);
  const nameLength = readUint(data, p, lengthBytes);
  p += lengthBytes;
  const name = data.subarray(p, p + nameLength).toString('utf8');
  p += nameLength;
  return { name, linkType, hardAddress: linkType === 0 ? readUint(data, p, offsetSize) : undefined };
}

function findInSymbolTable(file: ByteStore, sb: Superblock, btree: number, heapAddress: number, name: string): FoundLink | undefined {
  const heap = bytesAt(file, heapAddress, 8 + 2 * sb.lengthSize + sb.offsetSize);
  if (heap.subarray(0, 4).toString('latin1') !== 'HEAP') throw new Error('local heap signature not found');
  const heapSize = readUint(heap, 8, sb.lengthSize);
  const heapData = bytesAt(file, sb.base + readUint(heap, 8 + 2 * sb.lengthSize, sb.offsetSize), heapSize);
  const nameAt = (offset: number) => heapData.subarray(offset, heapData.indexOf(0, offset)).toString('utf8');
  const entrySize = 2 * sb.offsetSize + 24;

  const visit = (node: number): FoundLink | undefined => {
    const head = bytesAt(file, node, 8 + 2 * sb.offsetSize);
    const signature = head.subarray(0, 4).toString('latin1');
    if (signature === 'TREE') {
      const used = head.readUInt16LE(6);
      const body = bytesAt(file, node + 8 + 2 * sb.offsetSize, (used + 1) * sb.lengthSize + used * sb.offsetSize);
      for (let i = 0; i < used; i++) {
        const child = sb.base + readUint(body, sb.lengthSize + i * (sb.lengthSize + sb.offsetSize), sb.offsetSize);
        const found = visit(child);
        if (found) return found;
      }
      return undefined;
    }
    if (signature !== 'SNOD') throw new Error('symbol table node signature not found');
    const count = head.readUInt16LE(6);
    const entries = bytesAt(file, node + 8, count * entrySize);
    for (let i = 0; i < count; i++) {
      const entry = entries.subarray(i * entrySize, (i + 1) * entrySize);
      if (nameAt(readUint(entry, 0, sb.offsetSize)) !== name) continue;
      return {
        address: sb.base + readUint(entry, sb.offsetSize, sb.offsetSize),
        remove: () => {
          // Close the gap (entries stay sorted), clear the freed slot, lower the count.
          const rest = Buffer.concat([entries.subarray((i + 1) * entrySize), Buffer.alloc(entrySize)]);
          file.writeAt(node + 8 + i * entrySize, rest);
          const newCount = Buffer.alloc(2);
          newCount.writeUInt16LE(count - 1);
          file.writeAt(node + 6, newCount);
        },
      };
    }
    return undefined;
  };
  return visit(btree);
}

/** The object header address of the object at `path`, following hard links only; undefined if the path leaves the file or is not found. */
export function objectHeaderAt(file: ByteStore, sb: Superblock, path: string): number | undefined {
  let address = sb.rootObjectHeader;
  for (const part of path.split('/').filter(Boolean)) {
    const link = findLink(file, sb, address, part);
    if (link === undefined) return undefined;
    address = link.address;
  }
  return address;
}

/**
 * Runs `read` on the header messages of the object at `path`, in a file given
 * by its path or as a ByteStore (a run's view of the file it holds). Undefined
 * when the object is not found, the file uses other than 8-byte addresses and
 * lengths (what every writer uses unless asked), or anything cannot be read.
 */
export function withObjectMessages<T>(
  source: string | ByteStore, path: string, read: (file: ByteStore, sb: Superblock, messages: HeaderMessage[]) => T | undefined,
): T | undefined {
  let opened: ByteFile | undefined;
  try {
    const file = typeof source === 'string' ? (opened = new ByteFile(source)) : source;
    const sb = readSuperblock(file);
    if (sb.offsetSize !== 8 || sb.lengthSize !== 8) return undefined;
    const address = objectHeaderAt(file, sb, path);
    if (address === undefined) return undefined;
    return read(file, sb, readObjectHeader(file, sb, address).messages);
  } catch {
    return undefined;
  } finally {
    opened?.close();
  }
}
