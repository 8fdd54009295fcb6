import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { isRunning, thisProcess, type ProcessIdentity } from './processIdentity';
import { inodeLockPathOf, lockPathOf } from './sidecarPaths';

// The lock that keeps other programs out is HDF5's own OS lock on the file
// (osLock.ts), taken by every transaction. This sidecar lock stays for what an
// OS lock cannot do: it names the h5blocks run that owns the file's
// write-ahead log, by pid, process start time and run id, so recovery can tell
// a dead run's log (to finish) from a live run's (to leave alone), and a
// dead owner's lock from a live one's even when the pid has been reused; it
// names the path a run wrote through (see below), so recovery through another
// name finds its log; and it still serialises h5blocks runs, with a message
// naming the run, where HDF5_USE_FILE_LOCKING=FALSE turns the OS lock off.
// A lock is created whole and atomically (written aside, then hard-linked into
// place, which fails if one exists).
//
// The lock beside the file is found through the path used, and hard links in
// different folders are different paths to one file: a second lock, named
// after the file's device and inode in one folder shared by every process
// (see inodeLockPathOf), is taken as well, so runs through any two names of one
// file exclude each other. It also names the path its owner wrote through, so
// recovery through another name finds the log a dead run left there.

export interface LockOwner extends ProcessIdentity {
  runId: string;
  /** Inode locks only: the real path the owner writes through (its log lies beside it). */
  file?: string;
}

export interface FileLock {
  readonly owner: LockOwner;
  /**
   * Another name of this file (a hard link elsewhere) through which a dead run
   * wrote: the inode lock it left was taken over, and its log, if any, lies
   * beside that name.
   */
  readonly deadRunThrough?: string;
  release(): void;
}

export interface LockOptions {
  /**
   * A run of this process whose thread was stopped: a lock it holds is stale
   * even though its process lives.
   */
  abandonedRunId?: string;
}

interface HeldLock {
  text: string;
  ino: number;
  owner: LockOwner | undefined;
}

const ATTEMPTS = 20;

/** Takes the write lock of `realFile` (beside it, and of its inode), or throws 'busy' naming who holds it. */
export function acquireLock(realFile: string, runId: string, options: LockOptions = {}): FileLock {
  const owner: LockOwner = { ...thisProcess(), runId };
  const beside = acquireAt(lockPathOf(realFile), realFile, owner, options);
  let inode: { release(): void; staleOwner?: LockOwner } | undefined;
  try {
    const inodeLock = inodeLockOf(realFile);
    if (inodeLock) inode = acquireAt(inodeLock, realFile, { ...owner, file: realFile }, options);
  } catch (error) {
    beside.release();
    throw error;
  }
  const through = inode?.staleOwner?.file;
  return {
    owner,
    deadRunThrough: through && through !== realFile ? through : undefined,
    release() {
      inode?.release();
      beside.release();
    },
  };
}

/** The inode lock's path, its folder made if need be; undefined where no shared folder can be made (then the lock beside the file alone serialises). */
export function inodeLockOf(realFile: string): string | undefined {
  const stat = statSync(realFile, { bigint: true });
  return inodeLockPathOf(stat.dev, stat.ino);
}

function acquireAt(path: string, realFile: string, owner: LockOwner, options: LockOptions): { release(): void; staleOwner?: LockOwner } {
  const text = JSON.stringify(owner);
  let staleOwner: LockOwner | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createWhole(path, text)) return { ...heldLock(path, text), staleOwner };
    const held = readLock(path);
    if (held === undefined) continue; // released meanwhile: try again
    if (held.owner && ownerLives(held.owner, options)) throw busy(realFile, held.owner);
    staleOwner ??= held.owner;
    removeStale(path, held, options, 0);
    if (attempt > 2) pause(2 * attempt);
  }
  throw new H5BlocksError('busy', `${basename(realFile)}: other h5blocks runs keep taking the file's lock; try again when they end`, { file: realFile });
}

/** Removes the lock at `path` if its owner is dead (a dead run's lock beside another name of the file). */
export function removeLockIfStale(path: string, options: LockOptions = {}): void {
  const held = readLock(path);
  if (held && (!held.owner || !ownerLives(held.owner, options))) removeStale(path, held, options, 0);
}

function heldLock(path: string, text: string): { release(): void } {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // Only our own lock: after a takeover (we were judged abandoned) the file is someone else's.
      if (readLock(path)?.text === text) unlinkQuietly(path);
    },
  };
}

export function ownerLives(owner: LockOwner, options: LockOptions = {}): boolean {
  const me = thisProcess();
  if (options.abandonedRunId !== undefined && owner.runId === options.abandonedRunId && owner.pid === me.pid && owner.start === me.start) {
    return false;
  }
  return isRunning(owner);
}

/**
 * Removes a stale lock without racing other removers. Whoever first creates the
 * claim named after that lock's exact contents and inode may remove it, and
 * only after checking it is still that lock; a claim left by a remover that
 * died is itself a stale lock, removed the same way.
 */
function removeStale(path: string, stale: HeldLock, options: LockOptions, depth: number): void {
  if (depth > 8) return;
  const claim = `${path}.stale-${createHash('sha256').update(`${stale.ino}:${stale.text}`).digest('hex').slice(0, 16)}`;
  const mine = JSON.stringify({ ...thisProcess(), runId: `claim-${randomBytes(4).toString('hex')}` });
  if (!createWhole(claim, mine)) {
    const other = readLock(claim);
    if (other && (!other.owner || !ownerLives(other.owner, options))) removeStale(claim, other, options, depth + 1);
    return;
  }
  try {
    const now = readLock(path);
    if (now && now.ino === stale.ino && now.text === stale.text) unlinkQuietly(path);
  } finally {
    unlinkQuietly(claim);
  }
}

/** Creates `path` holding `text`, atomically and only if it does not exist. */
export function createWhole(path: string, text: string): boolean {
  const me = thisProcess();
  const pending = `${path}.${me.pid}-${me.start}-${randomBytes(4).toString('hex')}.pending`;
  try {
    writeFileSync(pending, text, { flag: 'wx' });
  } catch (error) {
    // Made but not filled (the disk is full): it must not stay beside the file.
    unlinkQuietly(pending);
    throw error;
  }
  try {
    linkSync(pending, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // File systems without hard links (FAT, some network shares): exclusive create, then fill.
    try {
      writeFileSync(path, text, { flag: 'wx' });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    unlinkQuietly(pending);
  }
}

export function readLock(path: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const ino = fstatSync(fd).ino;
    const text = readFileSync(fd, 'utf8');
    return { text, ino, owner: parseOwner(text) };
  } finally {
    closeSync(fd);
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.runId === 'string') {
      return {
        pid: value.pid, start: String(value.start ?? ''), boot: String(value.boot ?? ''), runId: value.runId,
        ...(typeof value.file === 'string' ? { file: value.file } : {}),
      };
    }
  } catch {
    // A lock from an older h5blocks held only a pid.
    const pid = Number(text);
    if (Number.isInteger(pid) && pid > 0) return { pid, start: '', boot: '', runId: '' };
  }
  return undefined;
}

function busy(file: string, owner: LockOwner): H5BlocksError {
  const who = owner.pid === process.pid ? 'another run in this app' : `process ${owner.pid}`;
  return new H5BlocksError('busy', `${basename(file)}: is being written by ${who}; h5blocks runs one computation per file at a time, try again when it ends`, { file });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
