import type { Overview, OverviewRequest } from '@shared/overview';
import type { ExpressionPreview } from '@shared/expression';
import { randomBytes } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { VirtualOutput } from '@shared/virtual';
import type { OpenFile, ValueOptions } from '@shared/api';
import type { ChildSummary, Entity, ValueSlice } from '@shared/entities';
import { H5BlocksError } from '@shared/errors';
import type { ConfinementRules } from '../hdf5/confinement';
import { checkReadableFile, isBeingWrittenWithSwmr } from '../hdf5/files';
import { IoThread } from '../io/ioThread';
import { sameStamp, stampOf, type FileStamp } from '../fileStamp';

interface Entry {
  id: string;
  path: string;
  /** Two paths (a link, a relative path) to one file are one entry. */
  realPath: string;
  /** The thread that owns this file's HDF5 handle. */
  thread: IoThread;
  /** When it was last asked something (a counter): the longest idle thread ends first. */
  lastUsed: number;
  /** The file on disk as last announced (or opened, or written by h5blocks itself), and at the last poll. */
  announced?: FileStamp;
  seen?: FileStamp;
}

/**
 * How often open files are checked for changes other programs make (size,
 * modification time, inode). A change is announced once the file has stayed
 * the same for one poll, so a writer at work is reloaded when it pauses, not
 * at every write: within two polls of its last write.
 */
export const CHANGE_POLL_MS = 1_000;

/**
 * An open file's thread ends after this long without requests, giving back its
 * wasm heap (which only grows); the next request starts another and reopens
 * the file, which costs a few hundred milliseconds.
 */
export const FILE_THREAD_IDLE_MS = 60_000;
/**
 * A file's thread whose memory grew past this (h5wasm's wasm memory starts at
 * about 19 MB and never shrinks; a large chunk makes it grow; a million-value
 * read leaves tens of MB of JS garbage an idle thread never collects) ends after
 * FILE_THREAD_BIG_IDLE_MS without requests instead.
 */
export const FILE_THREAD_BIG_HEAP_BYTES = 96 * 1024 * 1024;
export const FILE_THREAD_BIG_IDLE_MS = 5_000;
/**
 * File threads up at once (each holds tens of MB); past this the longest idle
 * one ends, and starts again on its file's next request.
 */
export const MAX_LIVE_FILE_THREADS = 8;

/**
 * The files the user has open, by the id the renderer knows them by. Each has
 * its own I/O thread holding its HDF5 handle (see io/handleCache.ts for how a
 * replaced file is noticed), so a damaged file that hangs or aborts HDF5 takes
 * only its own thread down; the others never notice.
 */
export class OpenFiles {
  private readonly entries = new Map<string, Entry>();
  private uses = 0;
  private watcher: NodeJS.Timeout | undefined;

  /** `confine` gives the rules for a file's thread (serve); undefined leaves HDF5 free (the desktop app, the CLI). */
  constructor(private readonly confine: (file: string) => ConfinementRules | undefined = () => undefined) {}

  list(): OpenFile[] {
    return [...this.entries.values()].map(describe);
  }

  /** Opens a file (checking that it is HDF5) or returns the entry it already has. */
  async open(path: string): Promise<OpenFile> {
    const absolute = resolve(path);
    checkReadableFile(absolute);
    const realPath = realpathSync(absolute);
    const known = [...this.entries.values()].find((entry) => entry.realPath === realPath);
    if (known) {
      await this.use(known).call({ kind: 'forget', file: known.path });
      await this.use(known).call({ kind: 'check', file: known.path });
      return describe(known);
    }
    const thread = new IoThread({
      confine: this.confine(absolute),
      idleExitMs: FILE_THREAD_IDLE_MS,
      bigHeap: { heapBytes: FILE_THREAD_BIG_HEAP_BYTES, idleExitMs: FILE_THREAD_BIG_IDLE_MS },
      settleReads: true,
    });
    const stamp = stampOf(absolute);
    const entry: Entry = { id: randomBytes(6).toString('base64url'), path: absolute, realPath, thread, lastUsed: 0, announced: stamp, seen: stamp };
    try {
      await this.use(entry).call({ kind: 'check', file: absolute });
    } catch (error) {
      await thread.terminate();
      throw error;
    }
    this.entries.set(entry.id, entry);
    return describe(entry);
  }

  get(id: string): OpenFile {
    return describe(this.entry(id));
  }

  /** The confinement rules the file's threads use (a run's thread takes the same). */
  rulesFor(id: string): ConfinementRules | undefined {
    return this.confine(this.entry(id).path);
  }

  entity(id: string, path: string): Promise<Entity> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'entity', file: entry.path, path });
  }

  value(id: string, path: string, ranges: [number, number][], options?: ValueOptions): Promise<ValueSlice> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'value', file: entry.path, path, ranges, options });
  }

  /** The slice as UTF-8 JSON text, serialised in the file's thread: a million values never become objects on this one. */
  valueJson(id: string, path: string, ranges: [number, number][], options?: ValueOptions): Promise<Uint8Array> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'valueJson', file: entry.path, path, ranges, options });
  }

  overview(id: string, path: string, request: OverviewRequest): Promise<Overview> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'overview', file: entry.path, path, request });
  }

  expressionPreview(id: string, path: string, expression: string): Promise<ExpressionPreview> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'expression-preview', file: entry.path, path, expression });
  }

  children(id: string, paths: string[]): Promise<ChildSummary[][]> {
    const entry = this.entry(id);
    return this.use(entry).call({ kind: 'children', file: entry.path, paths });
  }

  virtualOutputs(id: string): Promise<VirtualOutput[]> {
    const entry = this.entry(id);
    return entry.thread.call({ kind: 'virtual-outputs', file: entry.path });
  }

  close(id: string): void {
    void this.entry(id).thread.terminate();
    this.entries.delete(id);
  }

  /**
   * Polls the open files and calls `changed` for each that another program
   * changed on disk. `ownWrite` says when h5blocks itself is writing a file (a
   * run, materialize): those changes are not announced, the run says them.
   */
  watch(changed: (file: OpenFile) => void, ownWrite: (path: string) => boolean): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      for (const entry of this.entries.values()) {
        const now = stampOf(entry.path);
        if (!now) continue; // Gone: the next read says so.
        const settled = entry.seen !== undefined && sameStamp(entry.seen, now);
        entry.seen = now;
        if (ownWrite(entry.path)) entry.announced = now;
        if (!settled || (entry.announced && sameStamp(entry.announced, now))) continue;
        entry.announced = now;
        changed(describe(entry));
      }
    }, CHANGE_POLL_MS);
    this.watcher.unref();
  }

  /** h5blocks itself just wrote `path` (a run's commit, materialize): the file as it is now is not news. */
  wroteItself(path: string): void {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      return;
    }
    for (const entry of this.entries.values()) {
      if (entry.realPath !== real) continue;
      entry.announced = stampOf(entry.path);
      entry.seen = entry.announced;
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.watcher);
    this.watcher = undefined;
    const threads = [...this.entries.values()].map((entry) => entry.thread);
    this.entries.clear();
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  /** File threads up now. */
  get liveThreads(): number {
    return [...this.entries.values()].filter((entry) => entry.thread.running).length;
  }

  /** The entry's thread, about to be asked something: past MAX_LIVE_FILE_THREADS the longest idle others end. */
  private use(entry: Entry): IoThread {
    entry.lastUsed = ++this.uses;
    const others = [...this.entries.values()].filter((other) => other !== entry && other.thread.running);
    const excess = others.length + 1 - MAX_LIVE_FILE_THREADS;
    if (excess > 0) {
      const idle = others.filter((other) => !other.thread.busy).sort((a, b) => a.lastUsed - b.lastUsed);
      for (const other of idle.slice(0, excess)) void other.thread.terminate();
    }
    return entry.thread;
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new H5BlocksError('not-found', `no open file has the id "${id}"; it was closed, open it again`);
    return entry;
  }
}

function describe(entry: Entry): OpenFile {
  const file: OpenFile = { id: entry.id, path: entry.path, name: basename(entry.path), sizeBytes: sizeOf(entry.path) };
  if (isBeingWrittenWithSwmr(entry.path)) file.beingWritten = true;
  return file;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
