import { H5BlocksError } from '@shared/errors';
import { closeQuietly, openHdf5 } from '../hdf5/files';
import type { H5File } from '../hdf5/h5wasm';
import { sameStamp, stampOf, type FileStamp } from '../fileStamp';

interface Cached {
  handle: H5File;
  stamp: FileStamp;
}

const RETRY_PAUSE_MS = 250;
/** How long a read keeps retrying a file that keeps changing before its error stands. */
const SETTLE_LIMIT_MS = 5_000;

/** Open files an I/O thread keeps at most; the least recently used is closed first. */
export const MAX_OPEN_FILES = 8;

/**
 * Read-only handles kept open between requests in an I/O thread (HDF5 keeps
 * its metadata and chunk caches). A run replaces a file by renaming a copy over
 * it and other programs may rewrite it, so every use compares the file on disk
 * with the one the handle was opened on and reopens when they differ.
 */
export class HandleCache {
  private readonly open = new Map<string, Cached>();

  /** `settleReads`: the app's files, which other programs may be writing while the user browses them. */
  constructor(private readonly options: { settleReads?: boolean } = {}) {}

  /**
   * Runs `read` on the file's handle. Another program may be writing the file
   * right now (h5py appending a dataset): a read that fails while the file is
   * changing, or changed moments ago, is retried on a fresh handle once the
   * file is still, instead of being shown as damage.
   */
  async use<T>(path: string, read: (file: H5File) => T | Promise<T>): Promise<T> {
    const deadline = Date.now() + SETTLE_LIMIT_MS;
    for (;;) {
      const opened = this.open.get(path)?.stamp ?? stampOf(path);
      try {
        return await this.once(path, read);
      } catch (error) {
        if (!this.options.settleReads || (error instanceof H5BlocksError && error.code === 'not-found') || Date.now() > deadline) throw error;
        // Changing under the read, or moments after it: the writer is at work; otherwise the error stands.
        await pause(RETRY_PAUSE_MS);
        const now = stampOf(path);
        if (!opened || !now || sameStamp(opened, now)) throw error;
        this.forget(path);
      }
    }
  }

  private async once<T>(path: string, read: (file: H5File) => T | Promise<T>): Promise<T> {
    const now = stampOf(path);
    if (!now) {
      this.forget(path);
      throw new H5BlocksError('not-found', `${path}: the file is gone (moved or deleted since it was opened)`, { file: path });
    }
    let cached = this.open.get(path);
    if (cached && !sameStamp(cached.stamp, now)) {
      this.forget(path);
      cached = undefined;
    }
    if (!cached) {
      cached = { handle: await openHdf5(path, 'read'), stamp: now };
      this.open.set(path, cached);
      for (const [oldest] of this.open) {
        if (this.open.size <= MAX_OPEN_FILES) break;
        this.forget(oldest);
      }
    } else {
      // Most recently used last.
      this.open.delete(path);
      this.open.set(path, cached);
    }
    return read(cached.handle);
  }

  /** The files open now, least recently used first. */
  get openPaths(): string[] {
    return [...this.open.keys()];
  }

  forget(path: string): void {
    closeQuietly(this.open.get(path)?.handle);
    this.open.delete(path);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
