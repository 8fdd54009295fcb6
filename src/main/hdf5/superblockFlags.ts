import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { lookup3 } from './checksum';

// The superblock's file-consistency flags (HDF5 format spec, superblock
// versions 2 and 3): libhdf5 1.10+ sets them while a writer has the file open
// and clears them when it closes the file. A reader opening the file plainly
// is refused ("file is already open for write") while they are set; a SWMR
// reader (h5wasm's 'Sr') is let in when the SWMR bit is set. Read here straight
// from the file's bytes, without HDF5, so a file can be judged before opening.

/** Bit 0: a writer has the file open. */
export const WRITE_ACCESS = 0x01;
/** Bit 2: that writer writes in SWMR mode (readers may follow it). */
export const SWMR_WRITE_ACCESS = 0x04;

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface SuperblockStatus {
  /** Where the superblock starts (after a user block). */
  at: number;
  version: number;
  offsetSize: number;
  /** The consistency flags (0 for superblock versions 0 and 1, where libhdf5 1.10+ does not mark writers). */
  flags: number;
  writeAccess: boolean;
  swmrWrite: boolean;
  /** Versions 2 and 3: the end-of-file address the superblock records. */
  endOfFile?: number;
}

/** The superblock's version and status flags, or undefined when there is no HDF5 superblock (or the file cannot be read). */
export function readSuperblockStatus(path: string): SuperblockStatus | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return statusFromDescriptor(fd);
  } finally {
    closeSync(fd);
  }
}

function statusFromDescriptor(fd: number): SuperblockStatus | undefined {
  for (let at = 0; at < 1 << 20; at = at === 0 ? 512 : at * 2) {
    const head = Buffer.alloc(64);
    let got: number;
    try {
      got = readSync(fd, head, 0, head.length, at);
    } catch {
      return undefined;
    }
    if (got < 16) return undefined;
    if (!SIGNATURE.every((byte, i) => head[i] === byte)) continue;
    const version = head[8];
    if (version === 2 || version === 3) {
      const offsetSize = head[9];
      const flags = head[11];
      const endOfFile = offsetSize === 8 ? Number(head.readBigUInt64LE(12 + 2 * offsetSize)) : head.readUInt32LE(12 + 2 * offsetSize);
      return { at, version, offsetSize, flags, writeAccess: (flags & WRITE_ACCESS) !== 0, swmrWrite: (flags & SWMR_WRITE_ACCESS) !== 0, endOfFile };
    }
    return { at, version, offsetSize: version <= 1 ? head[13] : 0, flags: 0, writeAccess: false, swmrWrite: false };
  }
  return undefined;
}

/**
 * Clears the status flags a writer that is gone left set (what `h5clear -s`
 * does): the flags byte is zeroed and the superblock's checksum recomputed,
 * one write of the superblock's bytes, synced. A file shorter than the
 * end-of-file address the superblock records (a writer killed between
 * allocating space and writing it) is extended to it with zeros, which HDF5
 * reads as never-written space, so libhdf5 does not call it truncated.
 * Returns whether anything changed. Only for a writer known to be gone.
 */
export function clearStaleStatusFlags(path: string): boolean {
  const fd = openSync(path, 'r+');
  try {
    const status = statusFromDescriptor(fd);
    if (!status || status.version < 2 || status.flags === 0) return false;
    const length = 12 + 4 * status.offsetSize + 4;
    const block = Buffer.alloc(length);
    if (readSync(fd, block, 0, length, status.at) !== length) return false;
    block[11] = 0;
    block.writeUInt32LE(lookup3(block.subarray(0, length - 4)), length - 4);
    if (status.endOfFile !== undefined && fstatSync(fd).size < status.at + status.endOfFile) ftruncateSync(fd, status.at + status.endOfFile);
    writeSync(fd, block, 0, length, status.at);
    fsyncSync(fd);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The superblock version SWMR writing needs (HDF5 1.10's format). */
export const SWMR_SUPERBLOCK_VERSION = 3;

const DEFAULT_GROUP_LEAF_K = 4;
const DEFAULT_GROUP_INTERNAL_K = 16;
const DEFAULT_CHUNK_BTREE_K = 32;

/**
 * Why a superblock cannot be rewritten as version 3 by upgradeSuperblock, or
 * undefined when it can. Versions 0 and 1 hold what a version 3 superblock
 * keeps in an extension (B-tree K values other than the defaults, a driver
 * information block): those files are left alone.
 */
export function whyNotUpgradable(path: string): string | undefined {
  const bytes = superblockBytes(path);
  if (!bytes) return 'no HDF5 superblock was found';
  const { head } = bytes;
  const version = head[8];
  if (version >= 2) return undefined;
  const offsetSize = head[13];
  if (offsetSize !== 8 && offsetSize !== 4) return `its addresses are ${offsetSize} bytes long`;
  if (head.readUInt16LE(16) !== DEFAULT_GROUP_LEAF_K || head.readUInt16LE(18) !== DEFAULT_GROUP_INTERNAL_K) return 'its groups use B-tree sizes other than HDF5\'s defaults';
  if (version === 1 && head.readUInt16LE(24) !== DEFAULT_CHUNK_BTREE_K) return 'its chunk index uses a B-tree size other than HDF5\'s default';
  const p = 24 + (version === 1 ? 4 : 0);
  const driverInfo = readAddress(head, p + 3 * offsetSize, offsetSize);
  if (driverInfo !== undefined) return 'it has a file driver information block (a family or multi file)';
  return undefined;
}

/**
 * The superblock rewritten as version 3 (HDF5 1.10's format), which SWMR
 * writing needs (libhdf5 never upgrades an existing file's superblock itself),
 * with where to write it; undefined when it is version 3 already. From version
 * 2 only the version byte and checksum change. From versions 0 and 1 the same
 * addresses (base, end of file, the root group's object header, whose symbol
 * table message holds what the old root entry cached) are put in the version 3
 * layout, which is shorter, at the same place. HDF5 1.8 tools cannot open the
 * file afterwards. The caller writes it (through a transaction) with the file
 * closed in HDF5.
 */
export function upgradedSuperblock(path: string): { at: number; bytes: Uint8Array } | undefined {
  const why = whyNotUpgradable(path);
  if (why) throw new Error(`the superblock cannot be upgraded: ${why}`);
  const { at, head } = superblockBytes(path)!;
  const version = head[8];
  if (version === SWMR_SUPERBLOCK_VERSION) return undefined;
  let offsetSize: number;
  let lengthSize: number;
  let addresses: (number | undefined)[];
  if (version === 2) {
    offsetSize = head[9];
    lengthSize = head[10];
    addresses = [0, 1, 2, 3].map((i) => readAddress(head, 12 + i * offsetSize, offsetSize));
  } else {
    offsetSize = head[13];
    lengthSize = head[14];
    const p = 24 + (version === 1 ? 4 : 0);
    const base = readAddress(head, p, offsetSize);
    const endOfFile = readAddress(head, p + 2 * offsetSize, offsetSize);
    // The root group's symbol table entry: link name offset, then its object header address.
    const root = readAddress(head, p + 4 * offsetSize + offsetSize, offsetSize);
    addresses = [base, undefined, endOfFile, root];
  }
  const length = 12 + 4 * offsetSize + 4;
  const block = Buffer.alloc(length);
  Buffer.from(SIGNATURE).copy(block, 0);
  block[8] = SWMR_SUPERBLOCK_VERSION;
  block[9] = offsetSize;
  block[10] = lengthSize;
  block[11] = 0;
  addresses.forEach((address, i) => writeAddress(block, 12 + i * offsetSize, offsetSize, address));
  block.writeUInt32LE(lookup3(block.subarray(0, length - 4)), length - 4);
  return { at, bytes: block };
}

function superblockBytes(path: string): { at: number; head: Buffer } | undefined {
  const fd = openSync(path, 'r');
  try {
    for (let at = 0; at < 1 << 20; at = at === 0 ? 512 : at * 2) {
      const head = Buffer.alloc(128);
      if (readSync(fd, head, 0, head.length, at) < 48) return undefined;
      if (SIGNATURE.every((byte, i) => head[i] === byte)) return { at, head };
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readAddress(bytes: Buffer, at: number, size: number): number | undefined {
  if (size === 8) {
    const value = bytes.readBigUInt64LE(at);
    return value === 0xffffffffffffffffn ? undefined : Number(value);
  }
  const value = bytes.readUInt32LE(at);
  return value === 0xffffffff ? undefined : value;
}

function writeAddress(bytes: Buffer, at: number, size: number, address: number | undefined): void {
  if (size === 8) bytes.writeBigUInt64LE(address === undefined ? 0xffffffffffffffffn : BigInt(address), at);
  else bytes.writeUInt32LE(address === undefined ? 0xffffffff : address, at);
}
