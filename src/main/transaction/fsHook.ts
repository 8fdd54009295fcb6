import { resolve } from 'node:path';
import type { H5Module } from '../hdf5/h5wasm';
import type { LoggedFile } from './loggedFile';

// Every byte HDF5 reads or writes in h5wasm's Node build goes through
// Emscripten's FS object (NODERAWFS: FS.open/read/write/llseek/ftruncate/fstat).
// The hook routes the streams HDF5 opens on a transaction's file, while that
// transaction opens it, to its LoggedFile; every other stream passes through.

interface Stream {
  path?: string;
  position: number;
  [ROUTED]?: LoggedFile;
  [OVERLAID]?: Overlay[];
}

/** Bytes shown to HDF5 in place of the file's own at `offset` (the file is not changed). */
export interface Overlay {
  offset: number;
  bytes: Uint8Array;
}

interface EmscriptenFS {
  open(path: string, flags: unknown, mode?: unknown): Stream;
  read(stream: Stream, buffer: Uint8Array, offset: number, length: number, position?: number): number;
  write(stream: Stream, buffer: Uint8Array, offset: number, length: number, position?: number, canOwn?: boolean): number;
  llseek(stream: Stream, offset: number, whence: number): number;
  ftruncate(fd: number, length: number): void;
  fstat(fd: number): { size: number };
  getStreamChecked(fd: number): Stream;
  ErrnoError: new (errno: number) => Error;
}

const ROUTED = Symbol('h5blocks.loggedFile');
const OVERLAID = Symbol('h5blocks.overlay');
const hooked = new WeakSet<object>();
let opening: { path: string; target: LoggedFile; reads: number } | undefined;
let overlaying: { path: string; overlays: Overlay[] } | undefined;

// Emscripten's errno numbers (its own table, not the host's).
const ERRNO: Record<string, number> = { EBADF: 8, EIO: 29, ENOSPC: 51, EROFS: 69, EACCES: 2, EPERM: 63, EFBIG: 22, EDQUOT: 51 };

/**
 * Runs `open` (which makes HDF5 open `path`) with the file's streams routed to
 * `target`. `routed` is false when HDF5 read nothing through the new stream:
 * it still held the file from an earlier handle (see transaction.ts) and
 * serves it from that handle's state, which bypasses the log.
 */
export function openRouted<T>(module: H5Module, path: string, target: LoggedFile, open: () => T): { result: T; routed: boolean } {
  installHook(module);
  const attempt = { path: resolve(path), target, reads: 0 };
  opening = attempt;
  try {
    const result = open();
    // Opening a file HDF5 does not already hold starts by reading its superblock.
    return { result, routed: attempt.reads > 0 };
  } finally {
    opening = undefined;
  }
}

/**
 * Runs `open` (which makes HDF5 open `path` read-only) with the streams it
 * opens on that file showing `overlays` over the file's bytes, so HDF5 reads
 * a few bytes other than those on disk (see hdf5/files.ts: a writer's mark on
 * the superblock) while the file itself is never written.
 */
export function openOverlaid<T>(module: H5Module, path: string, overlays: Overlay[], open: () => T): T {
  installHook(module);
  overlaying = { path: resolve(path), overlays };
  try {
    return open();
  } finally {
    overlaying = undefined;
  }
}

function installHook(module: H5Module): void {
  const fs = (module as unknown as { FS: EmscriptenFS }).FS;
  if (hooked.has(fs)) return;
  hooked.add(fs);
  const original = {
    open: fs.open, read: fs.read, write: fs.write, llseek: fs.llseek, ftruncate: fs.ftruncate, fstat: fs.fstat,
  };
  const fail = (error: unknown): never => {
    throw new fs.ErrnoError(ERRNO[(error as NodeJS.ErrnoException).code ?? ''] ?? ERRNO.EIO);
  };
  const routed = (stream: Stream | undefined) => stream?.[ROUTED];

  fs.open = function (path, flags, mode) {
    const stream = original.open.call(this, path, flags, mode);
    if (opening && typeof stream.path === 'string' && resolve(stream.path) === opening.path) {
      stream[ROUTED] = opening.target;
    }
    if (overlaying && typeof stream.path === 'string' && resolve(stream.path) === overlaying.path) {
      stream[OVERLAID] = overlaying.overlays;
    }
    return stream;
  };
  fs.read = function (stream, buffer, offset, length, position) {
    const target = routed(stream);
    if (!target) {
      const at = position ?? stream.position;
      const got = original.read.call(this, stream, buffer, offset, length, position);
      for (const overlay of stream[OVERLAID] ?? []) {
        const from = Math.max(at, overlay.offset);
        const to = Math.min(at + got, overlay.offset + overlay.bytes.length);
        if (from < to) bytesOf(buffer).set(overlay.bytes.subarray(from - overlay.offset, to - overlay.offset), offset + from - at);
      }
      return got;
    }
    const at = position ?? stream.position;
    if (opening?.target === target) opening.reads++;
    let got: number;
    try {
      got = target.read(bytesOf(buffer), offset, length, at);
    } catch (error) {
      return fail(error);
    }
    if (position === undefined) stream.position += got;
    return got;
  };
  fs.write = function (stream, buffer, offset, length, position, canOwn) {
    const target = routed(stream);
    if (!target) return original.write.call(this, stream, buffer, offset, length, position, canOwn);
    const at = position ?? stream.position;
    let wrote: number;
    try {
      wrote = target.write(bytesOf(buffer), offset, length, at);
    } catch (error) {
      return fail(error);
    }
    if (position === undefined) stream.position += wrote;
    return wrote;
  };
  fs.llseek = function (stream, offset, whence) {
    const target = routed(stream);
    if (!target || whence !== 2) return original.llseek.call(this, stream, offset, whence);
    stream.position = target.size() + offset;
    return stream.position;
  };
  fs.ftruncate = function (fd, length) {
    const target = routed(fs.getStreamChecked(fd));
    if (!target) return original.ftruncate.call(this, fd, length);
    try {
      target.truncate(length);
    } catch (error) {
      fail(error);
    }
  };
  fs.fstat = function (fd) {
    const stat = original.fstat.call(this, fd);
    const target = routed(fs.getStreamChecked(fd));
    if (!target) return stat;
    const copy = Object.create(Object.getPrototypeOf(stat) as object) as { size: number };
    Object.assign(copy, stat);
    copy.size = target.size();
    return copy;
  };
}

/** HEAP8 is an Int8Array; the file layer works on bytes. */
function bytesOf(buffer: Uint8Array | Int8Array): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
