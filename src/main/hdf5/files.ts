import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { recoverFile } from '../transaction/recovery';
import { openOverlaid, type Overlay } from '../transaction/fsHook';
import { recoverLiveRun } from '../run/liveRun';
import { hdf5Error } from './errors';
import { ByteFile, superblockDriver } from './rawFormat';
import { unmarkedSuperblock, writerMark, type WriterMark } from './writerMark';
import { loadH5, type H5File } from './h5wasm';
import { readSuperblockStatus } from './superblockFlags';

export type OpenMode = 'read' | 'write';

/**
 * Opens an existing HDF5 file: read-only unless a write is asked for, and never
 * in a truncating or creating mode, so opening can never destroy a file. A run
 * that was interrupted on it is finished or rolled back first (recovery.ts).
 * A file another program is writing in SWMR mode (its superblock says so) is
 * read as a SWMR reader: a plain read-only open is refused by HDF5 ("already
 * open for write"), a SWMR reader sees every flushed state of the writer's.
 */
export async function openHdf5(path: string, mode: OpenMode = 'read'): Promise<H5File> {
  checkReadableFile(path);
  recoverFile(path);
  await recoverLiveRun(path);
  const { h5, module } = await loadH5();
  try {
    if (mode === 'write') return new h5.File(path, 'a');
    const mark = markOf(path);
    // A SWMR writer's file: read as SWMR readers do (libhdf5 then allows for a file that grows under it).
    if (mark === 'swmr-write') return new h5.File(path, 'Sr');
    // A file a libhdf5 writer has marked open (or left marked when it crashed) still reads.
    const overlays = mark === undefined ? [] : markOverlays(path);
    return overlays.length > 0 ? openOverlaid(module, path, overlays, () => new h5.File(path, 'r')) : new h5.File(path, 'r');
  } catch (error) {
    const partOfASet = driverWords(path);
    if (partOfASet) throw new H5BlocksError('not-hdf5', `${basename(path)}: cannot open as HDF5: ${partOfASet}`, { file: path });
    const failure = hdf5Error(error, path, undefined, 'cannot open as HDF5');
    // Whatever HDF5's innermost complaint, a file that will not open is not usable HDF5.
    throw failure.code === 'hdf5' ? new H5BlocksError('not-hdf5', failure.message, { file: path }) : failure;
  }
}

/** Creates a new file for the engine's own scratch output (shards, samples); refuses to replace one. */
export async function createHdf5(path: string): Promise<H5File> {
  const { h5 } = await loadH5();
  try {
    return new h5.File(path, 'x');
  } catch (error) {
    throw hdf5Error(error, path, undefined, 'cannot create');
  }
}

/** Whether a SWMR writer has the file open now (or one died without closing it): the superblock's SWMR-write flag. */
export function isBeingWrittenWithSwmr(path: string): boolean {
  return readSuperblockStatus(path)?.swmrWrite === true;
}

/**
 * HDF5 allows one writer at a time: a file a SWMR writer has open is never
 * written by h5blocks (a run, materialize) until that writer closes it.
 */
export function refuseSwmrWrittenFile(path: string, object?: string): void {
  if (!isBeingWrittenWithSwmr(path)) return;
  throw new H5BlocksError('busy',
    `${basename(path)}: ${object ? `${object}: ` : ''}another program is writing this file in SWMR mode (marked open for SWMR writing by another HDF5 program); HDF5 allows one writer at a time, so run again once it has closed the file; if none has it open (a writer crashed), clear the mark with h5clear -s ${basename(path)}`,
    { file: path, object });
}

export function checkReadableFile(path: string): void {
  const refuse = (code: 'invalid-argument' | 'not-found' | 'forbidden', why: string) => new H5BlocksError(code, `${path}: ${why}`, { file: path });
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw refuse(...whyNotStatable(error));
  }
  if (stat.isDirectory()) throw refuse('invalid-argument', 'is a folder, not an HDF5 file');
  // A device, pipe or socket has no bytes to seek in: /dev/zero would read forever.
  if (!stat.isFile()) throw refuse('invalid-argument', `is not a regular file (${specialKind(stat)}), not an HDF5 file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw refuse('forbidden', 'cannot be read: permission denied');
  }
  if (stat.size === 0) throw new H5BlocksError('not-hdf5', `${basename(path)}: not an HDF5 file (it is empty, 0 bytes)`, { file: path });
}

function whyNotStatable(error: unknown): ['not-found' | 'forbidden' | 'invalid-argument', string] {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ELOOP': return ['invalid-argument', 'cannot be opened: it is a symbolic link loop (links that point at each other)'];
    case 'EACCES':
    case 'EPERM': return ['forbidden', 'cannot be opened: permission denied (a folder on its path may not be entered)'];
    case 'ENOTDIR': return ['not-found', 'no such file (a part of its path is not a folder)'];
    case 'ENAMETOOLONG': return ['invalid-argument', 'cannot be opened: the name is too long'];
    default: return ['not-found', 'no such file'];
  }
}

function specialKind(stat: Stats): string {
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/** The mark a libhdf5 writer has on the file's superblock (see writerMark.ts), if any. */
export function markOf(path: string): WriterMark | undefined {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(path);
    return writerMark(file);
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

function markOverlays(path: string): Overlay[] {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(path);
    return unmarkedSuperblock(file);
  } catch {
    return []; // HDF5's own open says what is wrong with the file.
  } finally {
    file?.close();
  }
}

export function closeQuietly(file: H5File | undefined): void {
  try {
    file?.close();
  } catch {
    // Closing is best effort: the file may already be closed after an HDF5 failure.
  }
}

/** Why a file that is one part of a set HDF5 joins with a driver will not open alone, in plain words; undefined for other files. */
function driverWords(path: string): string | undefined {
  let driver: string | undefined;
  try {
    const file = new ByteFile(path);
    try {
      driver = superblockDriver(file);
    } finally {
      file.close();
    }
  } catch {
    return undefined;
  }
  if (driver === 'NCSAfami') return 'it is the first member of a family of files (HDF5\'s family driver: its data continues in the sibling files), which h5blocks does not open';
  if (driver === 'NCSAmult') return 'it is the metadata file of a multi-file set (HDF5\'s multi or split driver: its data lies in sibling files), which h5blocks does not open';
  return undefined;
}
