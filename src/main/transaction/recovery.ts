import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { fsError } from '../fsErrors';
import { acquireLock, inodeLockOf, ownerLives, readLock, removeLockIfStale, type LockOptions } from './fileLock';
import { heldOnlyByThisProcess, lockFile, type OsLock } from './osLock';
import { isRunning } from './processIdentity';
import { removeDeadScratch } from './scratch';
import { isSidecarOf, lockPathOf, logPathOf } from './sidecarPaths';
import { readLog, writeAll, type CommitRecord, type LogHeader } from './writeAheadLog';
import { removeEmptyShardFolders } from '../run/shardFolder';
import { isDaskShardFolderOf, removeStaleDaskShardFolders } from '../run/daskShardFolder';

/**
 * Finishes what an interrupted run left, under the file's lock: a log without
 * a commit record is rolled back (the file cut to its original length), one
 * with a record is rolled forward (its bytes copied into place again, which is
 * idempotent); then stale locks and dead runs' scratch are removed.
 * Synchronous and safe from any thread or process; a no-op while a live run
 * holds the file, and cheap when there is nothing to do.
 */
let reportRecovery: ((text: string) => void) | undefined;

/**
 * Where a finished recovery is said, in one line (the CLI prints it; the I/O
 * thread passes it on): a crash is never mended in silence.
 */
export function onRecovery(report: ((text: string) => void) | undefined): void {
  reportRecovery = report;
}

export function recoverFile(file: string, options: LockOptions = {}): void {
  removeDeadScratch(options);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return; // No such file: nothing to recover.
  }
  const leftovers = sidecarsOf(real);
  // A run through another name of the file (a hard link elsewhere) leaves its inode lock.
  const inodeLock = inodeLockPathQuietly(real);
  const inodeHolder = inodeLock === undefined ? undefined : readLock(inodeLock);
  if (leftovers.length === 0 && inodeHolder === undefined) return;
  const lock = readLock(lockPathOf(real));
  if (lock?.owner && ownerLives(lock.owner, options)) return; // A live run owns the file and its log.
  if (inodeHolder?.owner && ownerLives(inodeHolder.owner, options)) return;
  let held;
  try {
    held = acquireLock(real, `recovery-${process.pid}`, options);
  } catch (error) {
    if (error instanceof H5BlocksError && error.code === 'busy') return;
    throw unrecoverable(real, error);
  }
  let osLock: OsLock | undefined;
  try {
    // Another program has the file open (HDF5's lock): finishing the log now
    // would change the file under it; the next h5blocks command does it.
    osLock = lockFile(real, 'exclusive');
  } catch (error) {
    // Unless the holder is the abandoned run itself, in this process, whose
    // descriptor outlives it until its thread is gone.
    const abandonedHere = options.abandonedRunId !== undefined && error instanceof H5BlocksError && error.code === 'busy' && heldOnlyByThisProcess(real);
    if (!abandonedHere) {
      held.release();
      if (error instanceof H5BlocksError && error.code === 'busy') return;
      throw unrecoverable(real, error);
    }
  }
  try {
    recoverUnderLock(real, held.deadRunThrough);
  } finally {
    osLock?.release();
    held.release();
  }
}

function inodeLockPathQuietly(real: string): string | undefined {
  try {
    return inodeLockOf(real);
  } catch {
    return undefined;
  }
}

/**
 * The part of recovery that needs the lock already held (a run starting does
 * this itself). `deadRunThrough`: another name of the file through which a dead
 * run wrote (see FileLock): its log and lock beside that name are finished too.
 */
export function recoverUnderLock(real: string, deadRunThrough?: string): void {
  recoverBeside(real);
  if (deadRunThrough !== undefined && sameFile(real, deadRunThrough)) {
    recoverBeside(deadRunThrough);
    removeLockIfStale(lockPathOf(deadRunThrough));
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a, { bigint: true }), statSync(b, { bigint: true })];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function recoverBeside(real: string): void {
  const logPath = logPathOf(real);
  let recovered: string | undefined;
  if (existsSync(logPath)) {
    try {
      const log = readLog(logPath);
      if (log) recovered = applyLog(real, log.header, log.commit);
      unlinkSync(logPath);
      syncFolder(dirname(real));
    } catch (error) {
      throw unrecoverable(real, error);
    }
  }
  removeDeadSidecars(real);
  // A vds run killed before it wrote a shard leaves its shard folder empty; no later run would remove it.
  const emptyFolders = removeEmptyShardFolders(real);
  // A Dask run killed (or whose cancelled tasks outlived its clean-up) leaves its shard folder beside the file.
  const daskFolders = removeStaleDaskShardFolders(real);
  const said = (what: string, names: string[]) => (names.length > 0 ? `removed the ${what} folder${names.length > 1 ? 's' : ''} it left (${names.map((f) => JSON.stringify(f)).join(', ')})` : undefined);
  const folders = [said('empty shard', emptyFolders), said('Dask shard', daskFolders)].filter(Boolean).join('; ') || undefined;
  if (recovered) reportRecovery?.(folders ? `${recovered}; ${folders}` : recovered);
  else if (folders) reportRecovery?.(`${basename(real)}: after an interrupted ${daskFolders.length > 0 ? 'Dask' : 'vds'} run, ${folders}`);
}

/** Rolls the file back (no commit record) or forward (with one), if it is still the file the log is about; says what it did. */
function applyLog(real: string, header: LogHeader, commit: CommitRecord | undefined): string | undefined {
  const fd = openSync(real, 'r+');
  try {
    const stat = fstatSync(fd, { bigint: true });
    // Replaced since (moved over, restored from backup): the log is about another file.
    if (String(stat.dev) !== header.dev || String(stat.ino) !== header.ino) return undefined;
    const name = basename(real);
    if (commit) {
      putInPlace(fd, commit);
      return `${name}: finished an interrupted run (${header.runId}) whose result had been saved: its result is now in place`;
    } else {
      const extra = Number(stat.size) - header.originalSize;
      if (extra > 0) {
        ftruncateSync(fd, header.originalSize);
        fsyncSync(fd);
      }
      const cut = extra > 0 ? `, ${extra.toLocaleString('en-US')} bytes of its unfinished output cut` : '';
      return `${name}: rolled back an interrupted run (${header.runId}): the file is as it was before that run${cut}`;
    }
  } finally {
    closeSync(fd);
  }
}

/** The copy into place: logged bytes at their offsets, the final length, synced. */
export function putInPlace(fd: number, commit: CommitRecord, between?: (index: number) => void): void {
  commit.extents.forEach((extent, index) => {
    writeAll(fd, extent.bytes, extent.offset);
    between?.(index);
  });
  if (fstatSync(fd).size !== commit.finalSize) ftruncateSync(fd, commit.finalSize);
  fsyncSync(fd);
}

export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the log's own sync already holds.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sidecarsOf(real: string): string[] {
  const name = basename(real);
  try {
    return readdirSync(dirname(real)).filter((entry) => isSidecarOf(real, entry) || isStagedCopy(name, entry) || isDaskShardFolderOf(name, entry));
  } catch {
    return [];
  }
}

/**
 * Claims and half-made locks of dead processes, beside the file and of its
 * inode in the shared lock folder, and copies an older h5blocks staged beside
 * the file.
 */
function removeDeadSidecars(real: string): void {
  const name = basename(real);
  const beside = sidecarsOf(real).map((entry) => join(dirname(real), entry));
  const inodeLock = inodeLockPathQuietly(real);
  const ofInode = inodeLock === undefined ? [] : entriesStartingWith(dirname(inodeLock), `${basename(inodeLock)}.`);
  for (const path of [...beside, ...ofInode]) {
    const entry = basename(path);
    let dead = false;
    if (isStagedCopy(name, entry)) dead = true;
    else if (entry.endsWith('.pending')) {
      const match = /\.(\d+)-(\d*)-[0-9a-f]+\.pending$/.exec(entry);
      dead = match !== null && !isRunning({ pid: Number(match[1]), start: match[2], boot: '' });
    } else if (entry.includes('.stale-')) {
      const claim = readLock(path);
      dead = claim !== undefined && (!claim.owner || !isRunning(claim.owner));
    }
    if (!dead) continue;
    try {
      if (statSync(path).isFile()) unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
}

function entriesStartingWith(folder: string, prefix: string): string[] {
  try {
    return readdirSync(folder).filter((entry) => entry.startsWith(prefix)).map((entry) => join(folder, entry));
  } catch {
    return [];
  }
}

function isStagedCopy(name: string, entry: string): boolean {
  return entry.startsWith(`.${name}.`) && entry.endsWith('.h5blocks-staged');
}

function unrecoverable(real: string, error: unknown): H5BlocksError {
  if (error instanceof H5BlocksError) return error;
  const failure = fsError(error, real, 'finish an interrupted h5blocks run on it');
  return new H5BlocksError(failure.code, failure.message, { file: real });
}
