import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { ByteStore } from '../transaction/byteStore';
import type { Overlay } from '../transaction/fsHook';
import { lookup3 } from './checksum';
import { bytesAt, readSuperblock } from './rawFormat';

// A libhdf5 writer marks a version-3 superblock while it has the file open:
// bit 0 for write access, bit 2 for SWMR writing (H5F_SUPER_WRITE_ACCESS,
// H5F_SUPER_SWMR_WRITE_ACCESS), and clears them when it closes. A mark on a
// file nobody holds is what a writer that crashed leaves; libhdf5 itself then
// refuses to open the file for writing until `h5clear -s` clears it.
const WRITE_ACCESS = 0x01;
const SWMR_WRITE_ACCESS = 0x04;

export type WriterMark = 'write' | 'swmr-write';

/** The mark a libhdf5 writer left on the file's superblock, if any (unreadable superblocks have none: opening them says why). */
export function writerMark(file: ByteStore): WriterMark | undefined {
  let flags: number | undefined;
  try {
    const superblock = readSuperblock(file);
    if (superblock.version < 3) return undefined;
    flags = superblock.statusFlags;
  } catch {
    return undefined;
  }
  if (flags === undefined) return undefined;
  if (flags & SWMR_WRITE_ACCESS) return 'swmr-write';
  if (flags & WRITE_ACCESS) return 'write';
  return undefined;
}

/** Refuses to write a file another HDF5 program has marked open for writing. */
export function refuseMarkedFile(path: string, file: ByteStore): void {
  const mark = writerMark(file);
  if (mark === undefined) return;
  const name = basename(path);
  const how = mark === 'swmr-write' ? 'SWMR writing (a single-writer, multiple-reader session)' : 'writing';
  throw new H5BlocksError('busy', `${name}: marked open for ${how} by another HDF5 program; if none has it open (a writer crashed), clear the mark with h5clear -s ${name} and run again`, { file: path });
}

/**
 * What a reader shows libhdf5 so it opens a marked file read-only: libhdf5
 * refuses any open of a file marked open for writing ("file is already open
 * for write") unless it is SWMR-read, which in turn wants a live SWMR writer.
 * The superblock is shown with its status flags cleared and its checksum
 * (lookup3 over the superblock before it) recomputed; the file is not changed.
 * Empty when the file carries no mark.
 */
export function unmarkedSuperblock(file: ByteStore): Overlay[] {
  if (writerMark(file) === undefined) return [];
  const superblock = readSuperblock(file);
  // Signature, version, sizes, flags (12 bytes), then base, extension, end-of-file and root addresses.
  const length = 12 + 4 * superblock.offsetSize;
  const bytes = new Uint8Array(bytesAt(file, superblock.at, length + 4));
  bytes[11] = 0;
  new DataView(bytes.buffer).setUint32(length, lookup3(bytes.subarray(0, length)), true);
  return [{ offset: superblock.at, bytes }];
}
