import { fdatasync, fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import type { ByteStore } from './byteStore';
import type { Extent } from './writeAheadLog';

/**
 * Appended bytes are handed to the disk in the background every so often, so
 * the commit's sync waits only for the last of them: the run's output reaches
 * the disk while the blocks are computed, not after.
 */
const BACKGROUND_SYNC_BYTES = 16 * 2 ** 20;

/**
 * The user's file as HDF5 sees it during a transaction. Bytes at or past the
 * file's original length are the run's own and go straight to the file;
 * bytes inside it are kept here (and reach the log at commit), and reads are
 * served from them, so nothing the file held is overwritten before the
 * commit point. HDF5 rewrites only metadata in place, a few KB.
 */
export class LoggedFile implements ByteStore {
  private extents: Extent[] = [];
  private logicalSize: number;
  /** After a truncation below the original length, bytes from here up were cut: they read as zeros. */
  private zeroFrom: number;
  private physicalSize: number;
  /** The file's mtime after our own last write; anything else means another program wrote. */
  private lastMtimeNs: bigint;
  private changedElsewhere = false;
  private physicalWrites = 0;
  /** The first failure writing to the disk (ENOSPC, EIO), kept for the run's message. */
  failure: NodeJS.ErrnoException | undefined;
  closed = false;
  private appendedSinceSync = 0;
  private syncing: Promise<void> | undefined;

  constructor(readonly fd: number, readonly originalSize: number) {
    this.logicalSize = originalSize;
    this.zeroFrom = originalSize;
    this.physicalSize = originalSize;
    this.lastMtimeNs = fstatSync(fd, { bigint: true }).mtimeNs;
  }

  size(): number {
    return this.logicalSize;
  }

  /** Whether another program wrote to the file while we held it. */
  get changedByAnother(): boolean {
    if (this.changedElsewhere) return true;
    const stat = fstatSync(this.fd, { bigint: true });
    return stat.mtimeNs !== this.lastMtimeNs || Number(stat.size) !== this.physicalSize;
  }

  readAt(position: number, length: number): Uint8Array {
    const bytes = new Uint8Array(Math.max(0, Math.min(length, this.logicalSize - position)));
    this.read(bytes, 0, bytes.length, position);
    return bytes;
  }

  writeAt(position: number, bytes: Uint8Array): void {
    this.write(bytes, 0, bytes.length, position);
  }

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    this.checkOpen();
    const count = Math.max(0, Math.min(length, this.logicalSize - position));
    const end = position + count;
    let done = 0;
    while (done < count) {
      const got = readSync(this.fd, target, offset + done, count - done, position + done);
      if (got === 0) break;
      done += got;
    }
    target.fill(0, offset + done, offset + count);
    if (position < this.originalSize) {
      const zeroStart = Math.max(position, this.zeroFrom);
      const zeroEnd = Math.min(end, this.originalSize);
      if (zeroStart < zeroEnd) target.fill(0, offset + zeroStart - position, offset + zeroEnd - position);
      for (const extent of this.extents) {
        const from = Math.max(position, extent.offset);
        const to = Math.min(end, extent.offset + extent.bytes.length);
        if (from < to) target.set(extent.bytes.subarray(from - extent.offset, to - extent.offset), offset + from - position);
      }
    }
    return count;
  }

  write(source: Uint8Array, offset: number, length: number, position: number): number {
    this.checkOpen();
    const logged = Math.max(0, Math.min(length, this.originalSize - position));
    if (logged > 0) this.log(position, source.slice(offset, offset + logged));
    if (logged < length) this.append(source, offset + logged, length - logged, position + logged);
    this.logicalSize = Math.max(this.logicalSize, position + length);
    return length;
  }

  truncate(length: number): void {
    this.checkOpen();
    if (length >= this.originalSize) {
      this.physical(() => ftruncateSync(this.fd, length));
      this.physicalSize = length;
    } else {
      // The original bytes stay on disk until the commit; they read as cut.
      if (this.physicalSize !== this.originalSize) {
        this.physical(() => ftruncateSync(this.fd, this.originalSize));
        this.physicalSize = this.originalSize;
      }
      this.zeroFrom = Math.min(this.zeroFrom, length);
      this.extents = this.extents
        .filter((extent) => extent.offset < length)
        .map((extent) => ({ offset: extent.offset, bytes: extent.bytes.subarray(0, Math.min(extent.bytes.length, length - extent.offset)) }));
    }
    this.logicalSize = length;
  }

  /** What the commit puts in place: every logged byte (cut ranges as zeros) and the final length. */
  commitRecord(): { finalSize: number; extents: Extent[] } {
    const extents = [...this.extents];
    const cutEnd = Math.min(this.originalSize, this.logicalSize);
    if (this.zeroFrom < cutEnd) {
      const zeros = new Uint8Array(cutEnd - this.zeroFrom);
      // Zeros under the logged bytes: applied first, then overwritten by them.
      for (const extent of this.extents) {
        const from = Math.max(extent.offset, this.zeroFrom);
        const to = Math.min(extent.offset + extent.bytes.length, cutEnd);
        if (from < to) zeros.set(extent.bytes.subarray(from - extent.offset, to - extent.offset), from - this.zeroFrom);
      }
      extents.unshift({ offset: this.zeroFrom, bytes: zeros });
    }
    return { finalSize: this.logicalSize, extents };
  }

  /** Bytes the commit record will hold (for the disk-space estimate). */
  loggedBytes(): number {
    return this.extents.reduce((sum, extent) => sum + extent.bytes.length + 12, 64);
  }

  private log(position: number, bytes: Uint8Array): void {
    const end = position + bytes.length;
    const overlapping = this.extents.filter((e) => e.offset < end && e.offset + e.bytes.length > position);
    if (overlapping.length === 0) {
      this.insert({ offset: position, bytes });
      return;
    }
    const start = Math.min(position, ...overlapping.map((e) => e.offset));
    const stop = Math.max(end, ...overlapping.map((e) => e.offset + e.bytes.length));
    const merged = new Uint8Array(stop - start);
    for (const extent of overlapping) merged.set(extent.bytes, extent.offset - start);
    merged.set(bytes, position - start);
    this.extents = this.extents.filter((e) => !overlapping.includes(e));
    this.insert({ offset: start, bytes: merged });
  }

  private insert(extent: Extent): void {
    let at = this.extents.findIndex((e) => e.offset > extent.offset);
    if (at < 0) at = this.extents.length;
    this.extents.splice(at, 0, extent);
  }

  private append(source: Uint8Array, offset: number, length: number, position: number): void {
    this.physical(() => {
      let done = 0;
      while (done < length) done += writeSync(this.fd, source, offset + done, length - done, position + done);
    });
    this.physicalSize = Math.max(this.physicalSize, position + length);
    this.appendedSinceSync += length;
    if (this.appendedSinceSync >= BACKGROUND_SYNC_BYTES && !this.syncing) this.syncInBackground();
  }

  private syncInBackground(): void {
    this.appendedSinceSync = 0;
    this.syncing = new Promise((resolve) => {
      fdatasync(this.fd, (error) => {
        // A write-back error is reported once: kept here, so the commit cannot miss it.
        if (error && !this.closed) this.failure ??= error;
        this.syncing = undefined;
        resolve();
      });
    });
  }

  /** Waits for a background sync still under way (the commit's own sync follows). */
  async settled(): Promise<void> {
    await this.syncing;
  }

  /** Whether any of the run's own bytes reached the file (past its original end, or a cut). */
  get wroteToFile(): boolean {
    return this.physicalWrites > 0;
  }

  /**
   * A write of our own. Another program that ignores HDF5's lock may be writing
   * the file too: its size or mtime, through the descriptor we hold, no longer
   * what our own last write left, is the sign. Then nothing more is written
   * (the write fails, and with it the run), since each further byte could land
   * on that program's.
   */
  private physical(operation: () => void): void {
    const stat = fstatSync(this.fd, { bigint: true });
    if (stat.mtimeNs !== this.lastMtimeNs || Number(stat.size) !== this.physicalSize) this.changedElsewhere = true;
    if (this.changedElsewhere) {
      const error = new Error('another program changed the file') as NodeJS.ErrnoException;
      error.code = 'ECHANGED';
      throw error;
    }
    this.physicalWrites++;
    try {
      operation();
    } catch (error) {
      this.failure ??= error as NodeJS.ErrnoException;
      // A write the disk refused half-way (ENOSPC, EFBIG) has still lengthened the file: those bytes are ours,
      // and the rollback must cut them, not take them for another program's.
      const stat = fstatSync(this.fd, { bigint: true });
      this.lastMtimeNs = stat.mtimeNs;
      this.physicalSize = Math.max(this.physicalSize, Number(stat.size));
      throw error;
    }
    this.lastMtimeNs = fstatSync(this.fd, { bigint: true }).mtimeNs;
  }

  private checkOpen(): void {
    if (this.closed) {
      const error = new Error('the transaction has ended') as NodeJS.ErrnoException;
      error.code = 'EBADF';
      throw error;
    }
  }
}
