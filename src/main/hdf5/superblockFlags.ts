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
