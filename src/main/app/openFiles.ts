import { randomBytes } from 'node:crypto';
import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { OpenFile } from '../../shared/api';
import { H5BlocksError } from '../../shared/errors';
import { closeQuietly, openHdf5 } from '../hdf5/files';
import type { H5File } from '../hdf5/h5wasm';

interface Entry {
  id: string;
  path: string;
  /** Two paths (a link, a relative path) to one file are one entry. */
  realPath: string;
  handle: H5File | undefined;
  /** The file on disk the handle was opened on; a different one means the handle is stale. */
  openedOn: FileStamp | undefined;
}

interface Suspension {
  realPath: string;
  name: string;
}

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * The files the user has open, by the id the renderer knows them by.
 *
 * Handles stay open between requests (HDF5 keeps its metadata and chunk
 * caches), but a run adds to the file, and other programs may rewrite or
 * replace it too; the open handle would then keep showing the old file. So every use first compares the file on disk with the
 * one the handle was opened on and reopens when they differ.
 */
export class OpenFiles {
  private readonly entries = new Map<string, Entry>();
  private readonly suspended = new Set<Suspension>();

  /**
   * Closes the handles on one file while a run writes it, and refuses to
   * reopen them until `resume` is called: HDF5 will not open a file for
   * writing that this thread has open for reading.
   */
  suspend(path: string): () => void {
    const realPath = realpathSync(resolve(path));
    const suspension: Suspension = { realPath, name: basename(path) };
    this.suspended.add(suspension);
    for (const entry of this.entries.values()) {
      if (entry.realPath !== realPath) continue;
      closeQuietly(entry.handle);
      entry.handle = undefined;
    }
    return () => this.suspended.delete(suspension);
  }

  list(): OpenFile[] {
    return [...this.entries.values()].map(describe);
  }

  /** Opens a file (checking that it is HDF5) or returns the entry it already has. */
  async open(path: string): Promise<OpenFile> {
    const absolute = resolve(path);
    try {
      this.checkNotSuspended(realpathSync(absolute), absolute);
    } catch (error) {
      if (error instanceof H5BlocksError) throw error;
      // No such file: openHdf5 says so.
    }
    const handle = await openHdf5(absolute, 'read');
    const realPath = realpathSync(absolute);
    const known = [...this.entries.values()].find((entry) => entry.realPath === realPath);
    if (known) {
      closeQuietly(known.handle);
      known.handle = handle;
      known.openedOn = stampOf(absolute);
      return describe(known);
    }
    const entry: Entry = { id: randomBytes(6).toString('base64url'), path: absolute, realPath, handle, openedOn: stampOf(absolute) };
    this.entries.set(entry.id, entry);
    return describe(entry);
  }

  get(id: string): OpenFile {
    return describe(this.entry(id));
  }

  /** Runs `use` on a handle that shows the file as it is on disk now. */
  async use<T>(id: string, read: (file: H5File) => T | Promise<T>): Promise<T> {
    const entry = this.entry(id);
    this.checkNotSuspended(entry.realPath, entry.path);
    const now = stampOf(entry.path);
    if (!now) {
      closeQuietly(entry.handle);
      entry.handle = undefined;
      throw new H5BlocksError('not-found', `${entry.path}: the file is gone (moved or deleted since it was opened)`, { file: entry.path });
    }
    if (!entry.handle || !sameFile(entry.openedOn, now)) {
      closeQuietly(entry.handle);
      entry.handle = undefined;
      entry.handle = await openHdf5(entry.path, 'read');
      entry.openedOn = now;
    }
    return read(entry.handle);
  }

  close(id: string): void {
    const entry = this.entry(id);
    closeQuietly(entry.handle);
    this.entries.delete(id);
  }

  closeAll(): void {
    for (const entry of this.entries.values()) closeQuietly(entry.handle);
    this.entries.clear();
  }

  private checkNotSuspended(realPath: string, path: string): void {
    if ([...this.suspended].some((s) => s.realPath === realPath)) {
      throw new H5BlocksError('busy', `${basename(path)}: a run is writing it; it can be browsed again when the run ends`, { file: path });
    }
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new H5BlocksError('not-found', `no open file has the id "${id}"; it was closed, open it again`);
    return entry;
  }
}

function describe(entry: Entry): OpenFile {
  return { id: entry.id, path: entry.path, name: basename(entry.path), sizeBytes: stampOf(entry.path)?.size ?? 0 };
}

function stampOf(path: string): FileStamp | undefined {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
}

function sameFile(a: FileStamp | undefined, b: FileStamp): boolean {
  return a !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
