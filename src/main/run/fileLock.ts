import { closeSync, linkSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { H5BlocksError } from '../../shared/errors';

// HDF5 does not stop two writers on one file and h5wasm's locks do nothing, so
// h5blocks serialises its own writers: one run per file, across threads of this
// process (the set) and across processes (a lock file holding the owner's pid).
const heldHere = new Set<string>();

export interface FileLock {
  release(): void;
}

export function lockForWriting(file: string): FileLock {
  const key = realpathSync(file);
  if (heldHere.has(key)) throw busy(file, 'another run in this window');
  const lockPath = join(dirname(key), `.${basename(key)}.h5blocks.lock`);
  takeLockFile(lockPath, file);
  heldHere.add(key);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldHere.delete(key);
      try {
        unlinkSync(lockPath);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}

function takeLockFile(lockPath: string, file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createWithOwner(lockPath);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSafely(lockPath));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw busy(file, `process ${owner}`);
      // The owner died (kill -9) without releasing: the lock is stale.
      try {
        unlinkSync(lockPath);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  throw busy(file, 'another process');
}

/**
 * Creates the lock with our pid already in it: written aside, then hard-linked
 * into place (which fails if the lock exists). A lock created empty and filled
 * after would, for that instant, look to another process like a dead owner's.
 */
function createWithOwner(lockPath: string): void {
  const pending = `${lockPath}.${process.pid}.${threadId}.pending`;
  writeOwner(openSync(pending, 'w'));
  try {
    linkSync(pending, lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    // File systems without hard links (FAT, some network shares): create it in place.
    writeOwner(openSync(lockPath, 'wx'));
  } finally {
    unlinkSync(pending);
  }
}

function writeOwner(fd: number): void {
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
}

function readFileSafely(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busy(file: string, who: string): H5BlocksError {
  return new H5BlocksError('busy', `${basename(file)}: is being written by ${who}; h5blocks runs one computation per file at a time, try again when it ends`, { file });
}
