// A live run (`run --live`, "Readable while running (SWMR)"): the output is
// made empty, chunked with unlimited rows, in a transaction like any run's and
// committed; then the run becomes the file's SWMR writer and appends the blocks
// in row order, flushing after each, so SWMR readers see the rows fill in; the
// file is closed (its status flags cleared) and the provenance is written in a
// second transaction. The file's lock is held from the first step to the last.
//
// A marker beside the file (.NAME.h5blocks-live) says a live run is under way
// and which output it writes. If the run dies, the next h5blocks command on
// the file finds the marker with the lock's owner gone: it finishes the
// transaction logs as always, clears the status flags the dead writer left
// set, and removes the output unless its provenance was committed.
import { existsSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { fsError } from '../fsErrors';
import { clearStaleStatusFlags, readSuperblockStatus, SWMR_SUPERBLOCK_VERSION, upgradedSuperblock, whyNotUpgradable } from '../hdf5/superblockFlags';
import { hdf5Error } from '../hdf5/errors';
import { loadH5, type H5Dataset, type H5File, type H5Group } from '../hdf5/h5wasm';
import { removeLink } from '../hdf5/unlink';
import { acquireLock, ownerLives, readLock, type FileLock, type LockOptions } from '../transaction/fileLock';
import { recoverUnderLock, syncFolder } from '../transaction/recovery';
import { lockPathOf } from '../transaction/sidecarPaths';
import { beginTransaction } from '../transaction/transaction';
import type { OutputType } from '../../workers/compute/rowNorm';
import { ensureParentGroups, outputChunkRows } from './output';

/** Strategies whose blocks the run's own thread writes in row order (the others write shards or a virtual dataset). */
export const LIVE_STRATEGIES = ['inline', 'pool'] as const;

interface LiveMarker {
  runId: string;
  output: string;
  /** 'complete' once the provenance is committed: recovery keeps the output then. */
  state: 'live' | 'complete';
}

export function liveMarkerPathOf(realFile: string): string {
  return join(dirname(realFile), `.${basename(realFile)}.h5blocks-live`);
}

/**
 * The superblock bytes to write before a live run (an upgrade the user asked
 * for), undefined when the file already has a version 3 superblock, or a
 * refusal saying what upgrading means.
 */
export function liveFormatCheck(file: string, upgradeFormat: boolean): { at: number; bytes: Uint8Array } | undefined {
  const name = basename(file);
  const status = readSuperblockStatus(file);
  if (!status) throw new H5BlocksError('not-hdf5', `${name}: not an HDF5 file (no superblock found)`, { file });
  if (status.version >= SWMR_SUPERBLOCK_VERSION) return undefined;
  if (!upgradeFormat) {
    throw new H5BlocksError('invalid-argument',
      `${name}: a live run needs HDF5 1.10's file format (superblock version 3) and this file has version ${status.version}; upgrading rewrites its superblock, after which HDF5 1.8 tools can no longer open the file; run again with --upgrade-format to upgrade it, or without --live`,
      { file });
  }
  const why = whyNotUpgradable(file);
  if (why) throw new H5BlocksError('invalid-argument', `${name}: cannot upgrade the file's format for a live run: ${why}; run without --live`, { file });
  return upgradedSuperblock(file);
}

/** Takes the file's lock for the whole live run (both transactions and the SWMR phase between them). */
export function acquireLiveLock(file: string, runId: string): FileLock {
  try {
    return acquireLock(realpathSync(file), runId);
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    const failure = fsError(error, dirname(file), 'take the file\'s lock in its folder');
    throw new H5BlocksError(failure.code, `${basename(file)}: ${failure.message}`, { file });
  }
}

/** The live run's output: empty, chunked, with unlimited rows (it grows block by block). */
export function createLiveOutput(file: H5File, path: string, rows: number, type: OutputType, displayName: string): void {
  try {
    ensureParentGroups(file, path);
    (file as H5Group).create_dataset({
      name: path, data: type === 'float32' ? new Float32Array(0) : new Float64Array(0),
      shape: [0], maxshape: [null], chunks: [outputChunkRows(Math.max(rows, 1), type)], dtype: type === 'float32' ? '<f' : '<d',
    });
  } catch (error) {
    throw hdf5Error(error, displayName, path, 'cannot create the output dataset');
  }
}

export function writeLiveMarker(realFile: string, marker: LiveMarker): void {
  const path = liveMarkerPathOf(realFile);
  const staged = `${path}.${process.pid}.tmp`;
  writeFileSync(staged, JSON.stringify(marker));
  renameSync(staged, path);
  syncFolder(dirname(realFile));
}

export function removeLiveMarker(realFile: string): void {
  try {
    unlinkSync(liveMarkerPathOf(realFile));
  } catch {
    // Gone already.
  }
}

/** Opens the file as its SWMR writer (readers may then follow it), or says why not. */
export async function openAsSwmrWriter(file: string): Promise<H5File> {
  const { h5 } = await loadH5();
  let handle: H5File;
  try {
    handle = new h5.File(file, 'a', { libver: ['v110', 'latest'] });
  } catch (error) {
    throw hdf5Error(error, file, undefined, 'cannot open for live writing');
  }
  if (Number(handle.start_swmr_write()) < 0) {
    handle.close();
    throw new H5BlocksError('hdf5', `${basename(file)}: HDF5 refused to start SWMR writing; the run was not started`, { file });
  }
  return handle;
}

/** Grows the output to `rows` (a SWMR reader sees the new extent at the next flush). */
export function extendLiveOutput(file: H5File, output: string, rows: number): void {
  (file.get(output) as H5Dataset).resize([rows]);
}

/** Removes an unfinished live output, in a transaction under the lock already held. False when it is not there. */
export async function removeLiveOutput(file: string, output: string, runId: string, heldLock: FileLock): Promise<boolean> {
  const transaction = beginTransaction(file, runId, { heldLock });
  try {
    try {
      removeLink(transaction.store, transaction.file, output);
    } catch (error) {
      if (error instanceof H5BlocksError && /no such link|not found/.test(error.message)) return false;
      throw error;
    }
    await transaction.commit();
    return true;
  } finally {
    transaction.rollback();
  }
}

/**
 * What a killed live run left, finished: one line saying what was done, or
 * undefined when there was nothing to do (no marker, or its run is alive).
 */
export async function recoverLiveRun(file: string, options: LockOptions = {}): Promise<string | undefined> {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return undefined;
  }
  const markerPath = liveMarkerPathOf(real);
  if (!existsSync(markerPath)) return undefined;
  const holder = readLock(lockPathOf(real));
  if (holder?.owner && ownerLives(holder.owner, options)) return undefined;
  let held: FileLock;
  try {
    held = acquireLock(real, `recovery-live-${process.pid}`, options);
  } catch (error) {
    if (error instanceof H5BlocksError && error.code === 'busy') return undefined;
    throw error;
  }
  try {
    if (!existsSync(markerPath)) return undefined; // Another process finished it meanwhile.
    recoverUnderLock(real, held.deadRunThrough);
    let marker: LiveMarker | undefined;
    try {
      marker = JSON.parse(readFileSync(markerPath, 'utf8')) as LiveMarker;
    } catch {
      marker = undefined;
    }
    const cleared = clearStaleStatusFlags(real);
    let outcome = '';
    if (marker && marker.state !== 'complete') {
      const removed = await removeLiveOutput(real, marker.output, `recovery-live-${process.pid}`, held);
      outcome = removed ? `removed its unfinished output ${marker.output}` : `its output ${marker.output} had not been made`;
    } else if (marker) {
      outcome = `its output ${marker.output} is complete`;
    }
    removeLiveMarker(real);
    const parts = [cleared ? 'cleared the SWMR status flags it left set' : '', outcome].filter(Boolean);
    return `${basename(real)}: an h5blocks live run on this file was interrupted; ${parts.join('; ') || 'nothing was left to do'}`;
  } finally {
    held.release();
  }
}
