import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { closeQuietly } from '../hdf5/files';
import { hdf5Error } from '../hdf5/errors';
import { loadH5, type H5File } from '../hdf5/h5wasm';
import { refuseMarkedFile } from '../hdf5/writerMark';
import type { ByteStore } from './byteStore';
import { diskFull, freeBytes } from './diskSpace';
import { acquireLock, type FileLock, type LockOptions } from './fileLock';
import { openRouted } from './fsHook';
import { lockFile, type OsLock } from './osLock';
import { LoggedFile } from './loggedFile';
import { putInPlace, recoverUnderLock, syncFolder } from './recovery';
import { createRunScratch, removeDeadScratch, type RunScratch } from './scratch';
import { logPathOf } from './sidecarPaths';
import { createLog, writeCommit } from './writeAheadLog';

/**
 * A run's writes to one file, in place, with a write-ahead log beside it
 * (SQLite's design, applied to the bytes under HDF5): see loggedFile.ts for
 * where writes go, recovery.ts for what a crash leaves and how it is finished.
 *
 * commit(): the appended bytes are made durable, the log's commit record is
 * written and synced (the commit point), the logged bytes are copied into
 * place and synced, the log is deleted. Before the commit point the file on
 * disk reads as the untouched original to every other program.
 */
export interface Transaction {
  /** The real path of the file (links resolved): the same inode the user's path names. */
  readonly file: string;
  /** The file's bytes as the transaction sees them; raw-format editors write through it. */
  readonly store: ByteStore;
  /**
   * Opens the file in h5wasm for writing, through the log; close it before commit (or commit closes it).
   * `libver` 'v110': objects it creates use HDF5 1.10's formats, which a SWMR writer needs.
   */
  openH5(libver?: 'v110'): Promise<H5File>;
  /** A folder for the run's intermediate files, removed when the transaction ends (or, after a crash, by the next run). */
  scratchDir(): string;
  /**
   * Says how many bytes the run will add (output and metadata): refused at once
   * with "the disk is full" when the disk has less free, and named in that
   * message if the disk fills later.
   */
  expectBytes(bytes: number): void;
  /** The failure the file system gave a write (ENOSPC, EIO, EROFS), as one line, if one did. */
  diskFailure(): H5BlocksError | undefined;
  commit(): Promise<void>;
  /** Leaves the file byte for byte as it was; idempotent, and a no-op after commit. */
  rollback(): void;
}

export interface TransactionOptions extends LockOptions {
  /**
   * The file's lock, already held by the caller (a live run holds it across
   * its transactions and its SWMR phase): taken as it is and not released.
   */
  heldLock?: FileLock;
}

type State = 'open' | 'committing' | 'committed' | 'ended';

export function beginTransaction(file: string, runId: string, options: TransactionOptions = {}): Transaction {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    throw writeRefused(file, error, 'file');
  }
  const name = basename(real);
  let expectedBytes = 0;
  let lock: FileLock;
  try {
    lock = options.heldLock ? { ...options.heldLock, release: () => undefined } : acquireLock(real, runId, options);
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    throw writeRefused(real, error, 'folder', expectedBytes);
  }
  let fd: number | undefined;
  let osLock: OsLock | undefined;
  let log: { fd: number; headerBytes: Buffer } | undefined;
  let logged: LoggedFile;
  try {
    try {
      fd = openSync(real, 'r+');
    } catch (error) {
      throw writeRefused(real, error, 'file', expectedBytes);
    }
    // HDF5's own lock, on the descriptor the run writes through and keeps open
    // to its end, before anything reads the file's state: libhdf5 programs
    // that have the file open refuse us, and those that come later are refused.
    osLock = lockFile(real, 'exclusive', { fd });
    recoverUnderLock(real, lock.deadRunThrough);
    removeDeadScratch(options);
    const stat = fstatSync(fd, { bigint: true });
    logged = new LoggedFile(fd, Number(stat.size));
    refuseMarkedFile(real, logged);
    try {
      log = createLog(logPathOf(real), { originalSize: Number(stat.size), dev: String(stat.dev), ino: String(stat.ino), runId });
    } catch (error) {
      throw writeRefused(real, error, 'folder', expectedBytes);
    }
    syncFolder(dirname(real));
  } catch (error) {
    if (log) {
      closeSync(log.fd);
      unlinkSync(logPathOf(real));
    }
    osLock?.release();
    if (fd !== undefined) closeSync(fd);
    lock.release();
    throw error;
  }
  const fileFd = fd;
  const logFd = log.fd;
  const headerBytes = log.headerBytes;
  const heldLock = osLock;
  const handles = new Set<H5File>();
  let scratch: RunScratch | undefined;
  let state: State = 'open';
  const changedByAnother = (): boolean => {
    try {
      return logged.changedByAnother;
    } catch {
      return false;
    }
  };

  const end = () => {
    logged.closed = true;
    closeSync(logFd);
    heldLock.release();
    closeSync(fileFd);
    scratch?.remove();
    lock.release();
    state = 'ended';
  };

  return {
    file: real,
    store: logged,
    expectBytes(bytes) {
      expectedBytes = bytes;
      const free = freeBytes(dirname(real));
      if (free !== undefined && bytes > free) throw diskFull(real, bytes, free);
    },
    diskFailure() {
      if (state !== 'ended' && changedByAnother()) return interference(real, logged.wroteToFile);
      return logged.failure && diskError(real, logged.failure, expectedBytes);
    },
    async openH5(libver) {
      if (state !== 'open') throw new Error('the transaction has ended');
      const { h5, module } = await loadH5();
      try {
        const { result: handle, routed } = openRouted(module, real, logged, () => libver ? new h5.File(real, 'a', { libver: ['v110', 'latest'] }) : new h5.File(real, 'a'));
        if (!routed) {
          // h5wasm leaks an object id when an HDF5 read fails, and HDF5 then keeps
          // the file open after close: a later open reuses that stale state.
          closeQuietly(handle);
          throw new H5BlocksError('busy', `${name}: HDF5 in this process still holds the file after an earlier failed read; restart h5blocks to write to it again (the file itself is as it was)`, { file: real });
        }
        handles.add(handle);
        const close = handle.close.bind(handle);
        handle.close = () => {
          handles.delete(handle);
          return close();
        };
        return handle;
      } catch (error) {
        if (error instanceof H5BlocksError) throw error;
        if (logged.failure) throw diskError(real, logged.failure, expectedBytes);
        const failure = hdf5Error(error, real, undefined, 'cannot open as HDF5');
        // As openHdf5: whatever HDF5's innermost complaint, a file that will not open is not usable HDF5.
        throw failure.code === 'hdf5' ? new H5BlocksError('not-hdf5', failure.message, { file: real }) : failure;
      }
    },
    scratchDir() {
      scratch ??= createRunScratch(runId);
      return scratch.path;
    },
    async commit() {
      if (state !== 'open') throw new Error('the transaction is not open');
      state = 'committing';
      try {
        for (const handle of [...handles]) {
          handle.flush();
          handle.close();
        }
        await logged.settled();
        if (logged.failure) throw logged.failure;
        fsyncSync(fileFd);
      } catch (error) {
        state = 'open';
        if (logged.failure) throw diskError(real, logged.failure, expectedBytes);
        throw error;
      }
      if (changedByAnother()) {
        state = 'open';
        throw interference(real, logged.wroteToFile);
      }
      if (!sameFileAtPath(real, fileFd)) {
        state = 'open';
        // Our writes went to the file that was moved away, not to the one now at the path.
        throw new H5BlocksError('busy', `${name}: was replaced by another program during the run (it moved another file to this name); the run's result was not saved and the file now at this name is as that program wrote it, untouched by h5blocks`, { file: real });
      }
      const record = logged.commitRecord();
      try {
        writeCommit(logFd, headerBytes, record);
      } catch (error) {
        state = 'open';
        throw diskError(real, error as NodeJS.ErrnoException, expectedBytes + logged.loggedBytes());
      }
      // The commit point: from here on the result stands, and recovery finishes the copy if we die.
      state = 'committed';
      testPause('after-commit-record');
      try {
        putInPlace(fileFd, record, (index) => index === 0 && testPause('inside-copy'));
        unlinkSync(logPathOf(real));
        syncFolder(dirname(real));
      } catch (error) {
        end();
        throw new H5BlocksError('internal', `${name}: the result is saved but could not be put in place (${(error as Error).message}); the next h5blocks command on this file finishes it`, { file: real });
      }
      end();
    },
    rollback() {
      if (state === 'ended' || state === 'committed') return;
      for (const handle of [...handles]) closeQuietly(handle);
      logged.closed = true;
      try {
        // Only our own bytes: if another program changed the file, what it wrote stays.
        if (!logged.changedByAnother && fstatSync(fileFd).size > logged.originalSize) {
          ftruncateSync(fileFd, logged.originalSize);
          fsyncSync(fileFd);
        }
        unlinkSync(logPathOf(real));
      } catch {
        // The log stays; the next h5blocks command on this file rolls it back.
      }
      end();
    },
  };
}

/**
 * Another program wrote the file during the run, ignoring HDF5's lock (it set
 * HDF5_USE_FILE_LOCKING=FALSE, or does not lock at all). The file is as that
 * program left it only if none of the run's bytes reached it.
 */
function interference(file: string, wroteToFile: boolean): H5BlocksError {
  const what = `${basename(file)}: another program wrote to the file during the run without taking HDF5's file lock (HDF5_USE_FILE_LOCKING=FALSE?); h5blocks stopped writing and did not save its result`;
  const after = wroteToFile
    ? 'the end of the file may mix its partial output with that program\'s writes: check the file with h5dump before using it'
    : 'h5blocks wrote nothing to the file, which is as that program left it';
  return new H5BlocksError('busy', `${what}; ${after}`, { file });
}

function sameFileAtPath(real: string, fd: number): boolean {
  try {
    const atPath = statSync(real, { bigint: true });
    const held = fstatSync(fd, { bigint: true });
    return atPath.dev === held.dev && atPath.ino === held.ino;
  } catch {
    return false;
  }
}

/** A write refused by the file system, in words that name the user's file, never a sidecar. */
function writeRefused(file: string, error: unknown, what: 'file' | 'folder', expectedBytes = 0): H5BlocksError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const name = basename(file);
  if (code === 'ENOENT') return new H5BlocksError('not-found', `${file}: no such file`, { file });
  if (code === 'ENOSPC' || code === 'EDQUOT') return diskFull(file, expectedBytes, freeBytes(dirname(file)));
  if (code === 'EROFS') return new H5BlocksError('forbidden', `${name}: cannot write the result: the file system holding it is read-only`, { file });
  if (code === 'EACCES' || code === 'EPERM') {
    return what === 'file'
      ? new H5BlocksError('forbidden', `${name}: cannot write the result: the file is read-only (permission denied)`, { file })
      : new H5BlocksError('forbidden', `${name}: cannot write the result: its folder ${dirname(file)} is read-only (h5blocks keeps a small lock and log beside the file while it writes)`, { file });
  }
  return diskError(file, error as NodeJS.ErrnoException, expectedBytes);
}

export function diskError(file: string, error: NodeJS.ErrnoException, expectedBytes: number): H5BlocksError {
  if (error.code === 'ENOSPC' || error.code === 'EDQUOT') return diskFull(file, expectedBytes, freeBytes(dirname(file)));
  if (error.code === 'EROFS' || error.code === 'EACCES' || error.code === 'EPERM') return writeRefused(file, error, 'file', expectedBytes);
  if (error.code === 'EFBIG') {
    return new H5BlocksError('disk-full', `${basename(file)}: cannot write the result: the file would grow past the largest file size allowed here (a file-size limit); the file is as it was`, { file });
  }
  return new H5BlocksError('internal', `${basename(file)}: cannot write: ${error.message.split('\n')[0]}; the file is as it was`, { file });
}

/**
 * A place where a test can stop a run inside its commit (to kill it there).
 * Production never sets the hook, so this returns at once.
 */
function testPause(point: 'after-commit-record' | 'inside-copy'): void {
  const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('h5blocks.testPause')];
  if (typeof hook === 'function') (hook as (point: string) => void)(point);
}
