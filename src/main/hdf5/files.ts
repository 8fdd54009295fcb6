import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { H5BlocksError } from '../../shared/errors';
import { recoverFile } from '../transaction/recovery';
import { recoverLiveRun } from '../run/liveRun';
import { hdf5Error } from './errors';
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
  const { h5 } = await loadH5();
  try {
    if (mode === 'read' && isBeingWrittenWithSwmr(path)) return new h5.File(path, 'Sr');
    return new h5.File(path, mode === 'write' ? 'a' : 'r');
  } catch (error) {
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
    `${basename(path)}: ${object ? `${object}: ` : ''}another program is writing this file in SWMR mode; HDF5 allows one writer at a time, so run again once it has closed the file`,
    { file: path, object });
}

export function checkReadableFile(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new H5BlocksError('invalid-argument', `${path}: is a folder, not an HDF5 file`, { file: path });
    size = stat.size;
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    throw new H5BlocksError('not-found', `${path}: no such file`, { file: path });
  }
  if (size === 0) throw new H5BlocksError('not-hdf5', `${basename(path)}: not an HDF5 file (it is empty, 0 bytes)`, { file: path });
}

export function closeQuietly(file: H5File | undefined): void {
  try {
    file?.close();
  } catch {
    // Closing is best effort: the file may already be closed after an HDF5 failure.
  }
}
