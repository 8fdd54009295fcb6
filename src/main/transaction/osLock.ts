import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';

// libhdf5 protects a file with an OS lock on the file itself: flock(LOCK_EX |
// LOCK_NB) when it opens it for writing, LOCK_SH for reading (fcntl where flock
// is missing, LockFileEx on Windows). h5wasm's Emscripten file system turns
// flock into a no-op, so h5blocks takes the same lock itself, through koffi (an
// FFI whose prebuilt binaries come inside its npm packages: nothing to compile
// or download at install) calling the C library. While h5blocks holds it,
// libhdf5 programs that lock (the default) are refused by libhdf5 itself, and
// h5blocks is refused while one of them has the file open.
//
// flock locks belong to the open file description: the lock holds as long as
// the descriptor it was taken on stays open, whatever other descriptors of the
// file this process opens and closes meanwhile (h5wasm opens its own). fcntl
// locks belong to the process and fall when any of its descriptors of the file
// closes: that fallback is only as good as the platforms that need it.

export type LockMode = 'exclusive' | 'shared';

export interface OsLock {
  /** The descriptor the lock is on; it stays open until release(). */
  readonly fd: number;
  /** False when HDF5_USE_FILE_LOCKING said not to lock, or BEST_EFFORT met a file system without locks. */
  readonly locked: boolean;
  release(): void;
}

/** What HDF5_USE_FILE_LOCKING asks, read as libhdf5 reads it. */
export type LockingPolicy = 'off' | 'best-effort' | 'required';

export function lockingPolicy(env: NodeJS.ProcessEnv = process.env): LockingPolicy {
  const value = env.HDF5_USE_FILE_LOCKING?.trim();
  if (value === 'FALSE' || value === '0') return 'off';
  if (value === 'BEST_EFFORT') return 'best-effort';
  // Unset, TRUE, 1 and values libhdf5 does not know all keep its default: lock.
  return 'required';
}

/**
 * Takes HDF5's lock on `path` ('exclusive' as a libhdf5 writer, 'shared' as a
 * reader), on a descriptor of its own, or on `options.fd` when given (the
 * caller keeps that one open for as long as it holds the lock). Throws 'busy'
 * naming the program that holds the file (from /proc/locks where there is one).
 */
export function lockFile(path: string, mode: LockMode, options: { fd?: number; policy?: LockingPolicy; again?: string } = {}): OsLock {
  const policy = options.policy ?? lockingPolicy();
  if (policy === 'off' && options.fd === undefined) return { fd: -1, locked: false, release() {} };
  const ownFd = options.fd === undefined;
  const fd = options.fd ?? openForLock(path, mode);
  let locked = false;
  try {
    if (policy !== 'off') locked = take(fd, path, mode, policy, options.again ?? 'run again');
  } catch (error) {
    if (ownFd) closeSync(fd);
    throw error;
  }
  let released = false;
  return {
    fd,
    locked,
    release() {
      if (released) return;
      released = true;
      try {
        if (locked) calls().unlock(fd);
      } finally {
        if (ownFd) closeSync(fd);
      }
    },
  };
}

/** A descriptor to lock: for writing when it can be (fcntl's write lock needs one), else read-only, which flock takes too. */
function openForLock(path: string, mode: LockMode): number {
  if (mode === 'exclusive') {
    try {
      return openSync(path, 'r+');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    }
  }
  return openSync(path, 'r');
}

function take(fd: number, path: string, mode: LockMode, policy: LockingPolicy, again: string): boolean {
  let os: OsCalls;
  try {
    os = calls();
  } catch (error) {
    if (policy === 'best-effort') return false;
    throw new H5BlocksError('internal', `${basename(path)}: cannot take HDF5's file lock: the locking library did not load (${(error as Error).message.split('\n')[0]}); set HDF5_USE_FILE_LOCKING=BEST_EFFORT to go on without it`, { file: path });
  }
  // Like SQLite's busy timeout: a program that has the file open for a moment
  // (a SWMR reader polling for a dataset, h5ls) is waited for; one that keeps it
  // open is refused once the wait is over.
  const deadline = Date.now() + busyTimeoutMs();
  let errno = os.lock(fd, mode);
  while (isHeldElsewhere(os, errno) && Date.now() < deadline) {
    Atomics.wait(SLEEPER, 0, 0, BUSY_RETRY_MS);
    errno = os.lock(fd, mode);
  }
  if (errno === 0) return true;
  if (isHeldElsewhere(os, errno)) throw heldElsewhere(fd, path, again);
  if (errno === os.errno.ENOSYS || errno === os.errno.ENOLCK || errno === os.errno.EOPNOTSUPP) {
    if (policy === 'best-effort') return false;
    throw new H5BlocksError('forbidden', `${basename(path)}: its file system does not support file locks, which HDF5 uses to keep other programs from writing at the same time; set HDF5_USE_FILE_LOCKING=BEST_EFFORT to write without one`, { file: path });
  }
  throw new H5BlocksError('internal', `${basename(path)}: cannot take HDF5's file lock (error ${errno})`, { file: path });
}

const BUSY_RETRY_MS = 25;
/** A synchronous sleep between attempts (the lock is taken synchronously, in whichever thread asks). */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** How long a lock held by another program is waited for before refusing: H5BLOCKS_BUSY_TIMEOUT_MS, 2 s by default. */
function busyTimeoutMs(): number {
  const value = Number(process.env.H5BLOCKS_BUSY_TIMEOUT_MS);
  return Number.isFinite(value) && value >= 0 ? value : 2000;
}

function isHeldElsewhere(os: OsCalls, errno: number): boolean {
  return errno === os.errno.EWOULDBLOCK || errno === os.errno.EAGAIN || errno === os.errno.EACCES;
}

/** The one line a refused writer prints: who holds the file, where the OS says. */
function heldElsewhere(fd: number, path: string, again: string): H5BlocksError {
  const all = lockHolders(fd);
  const holders = all.filter((pid) => pid !== process.pid);
  if (all.length > 0 && holders.length === 0) {
    return new H5BlocksError('busy', `${basename(path)}: in use by another operation of this h5blocks (pid ${process.pid}); try again when it ends`, { file: path });
  }
  const who = holders.length > 0 ? ` (${holders.map((pid) => `${commandOf(pid) ?? 'process'}, pid ${pid}`).join('; ')})` : '';
  return new H5BlocksError('busy', `${basename(path)}: open in another program${who}; close it there and ${again}`, { file: path });
}

/**
 * The pids /proc/locks gives for the locks on this file (Linux): lines like
 * `1: FLOCK  ADVISORY  WRITE 4242 fe:00:2179905 0 EOF`, the device as
 * major:minor in hex and the inode in decimal. Waiters ("->") are skipped.
 */
export function lockHolders(fd: number): number[] {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const stat = fstatSync(fd, { bigint: true });
  const dev = stat.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const pids = new Set<number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === '->') continue;
    const [pid, where] = [Number(fields[4]), fields[5]];
    const parts = where?.split(':');
    if (!parts || parts.length !== 3) continue;
    if (parseInt(parts[0], 16) === major && parseInt(parts[1], 16) === minor && BigInt(parts[2]) === stat.ino && pid > 0) pids.add(pid);
  }
  return [...pids];
}

/** Whether the locks on `path` that /proc/locks shows are all this process's own (Linux; false elsewhere). */
export function heldOnlyByThisProcess(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const holders = lockHolders(fd);
    return holders.length > 0 && holders.every((pid) => pid === process.pid);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

interface OsCalls {
  /** 0, or the errno of the refusal. */
  lock(fd: number, mode: LockMode): number;
  unlock(fd: number): void;
  errno: Record<string, number | undefined>;
}

let loaded: OsCalls | undefined;

/** Test hook: forces the fcntl fallback where flock exists, to exercise it. */
const FORCE_FCNTL = process.env.H5BLOCKS_LOCK_WITH_FCNTL === '1';

function calls(): OsCalls {
  loaded ??= process.platform === 'win32' ? windowsCalls() : posixCalls();
  return loaded;
}

type Koffi = typeof import('koffi');

function koffi(): Koffi {
  // Loaded on first use, so that reading files never depends on the native library.
  return createRequire(import.meta.url)('koffi') as Koffi;
}

function posixCalls(): OsCalls {
  const ffi = koffi();
  const libc = ffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : process.platform === 'linux' ? 'libc.so.6' : null);
  const errno = ffi.os.errno as Record<string, number | undefined>;
  let flock: ((fd: number, operation: number) => number) | undefined;
  try {
    if (!FORCE_FCNTL) flock = libc.func('int flock(int fd, int operation)') as (fd: number, operation: number) => number;
  } catch {
    flock = undefined; // No flock in this C library: fcntl, as libhdf5 does there.
  }
  const [LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN] = [1, 2, 4, 8];
  if (flock) {
    const call = flock;
    return {
      errno,
      lock: (fd, mode) => (call(fd, (mode === 'exclusive' ? LOCK_EX : LOCK_SH) | LOCK_NB) === 0 ? 0 : ffi.errno()),
      unlock: (fd) => void call(fd, LOCK_UN),
    };
  }
  // struct flock and its constants differ between Linux and the BSDs (macOS).
  const bsd = process.platform !== 'linux';
  const Flock = bsd
    ? ffi.struct({ l_start: 'int64', l_len: 'int64', l_pid: 'int32', l_type: 'int16', l_whence: 'int16' })
    : ffi.struct({ l_type: 'int16', l_whence: 'int16', l_start: 'int64', l_len: 'int64', l_pid: 'int32' });
  // fcntl is variadic: the lock's pointer type is given with the call.
  const fcntl = libc.func('int fcntl(int fd, int cmd, ...)') as (fd: number, cmd: number, type: unknown, lock: unknown) => number;
  const pointer = ffi.pointer(Flock);
  const [F_SETLK, F_RDLCK, F_WRLCK, F_UNLCK] = bsd ? [8, 1, 3, 2] : [6, 0, 1, 2];
  // Whole file (l_len 0: to its end, however it grows), from its start.
  const set = (fd: number, type: number) => fcntl(fd, F_SETLK, pointer, { l_type: type, l_whence: 0, l_start: 0, l_len: 0, l_pid: 0 });
  return {
    errno,
    lock: (fd, mode) => (set(fd, mode === 'exclusive' ? F_WRLCK : F_RDLCK) === 0 ? 0 : ffi.errno()),
    unlock: (fd) => void set(fd, F_UNLCK),
  };
}

function windowsCalls(): OsCalls {
  const ffi = koffi();
  const kernel32 = ffi.load('kernel32.dll');
  const ucrt = ffi.load('ucrtbase.dll');
  ffi.struct('OVERLAPPED', { Internal: 'uintptr_t', InternalHigh: 'uintptr_t', Offset: 'uint32', OffsetHigh: 'uint32', hEvent: 'void *' });
  const getHandle = ucrt.func('intptr_t _get_osfhandle(int fd)') as (fd: number) => number | bigint;
  const lockFileEx = kernel32.func('int __stdcall LockFileEx(intptr_t file, uint32 flags, uint32 reserved, uint32 low, uint32 high, _Inout_ OVERLAPPED *overlapped)') as (...args: unknown[]) => number;
  const unlockFileEx = kernel32.func('int __stdcall UnlockFileEx(intptr_t file, uint32 reserved, uint32 low, uint32 high, _Inout_ OVERLAPPED *overlapped)') as (...args: unknown[]) => number;
  const getLastError = kernel32.func('uint32 __stdcall GetLastError()') as () => number;
  const [LOCKFILE_FAIL_IMMEDIATELY, LOCKFILE_EXCLUSIVE_LOCK, ERROR_LOCK_VIOLATION] = [1, 2, 33];
  const whole = 0xffffffff;
  const overlapped = () => ({ Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: null });
  const errno = { EWOULDBLOCK: ERROR_LOCK_VIOLATION };
  return {
    errno,
    // The whole file, as libhdf5's Windows flock does.
    lock: (fd, mode) => {
      const flags = LOCKFILE_FAIL_IMMEDIATELY | (mode === 'exclusive' ? LOCKFILE_EXCLUSIVE_LOCK : 0);
      return lockFileEx(getHandle(fd), flags, 0, whole, whole, overlapped()) !== 0 ? 0 : getLastError();
    },
    unlock: (fd) => void unlockFileEx(getHandle(fd), 0, whole, whole, overlapped()),
  };
}
