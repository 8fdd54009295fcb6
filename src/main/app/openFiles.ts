import { randomBytes } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { VirtualOutput } from '../../shared/virtual';
import type { OpenFile } from '../../shared/api';
import type { ChildSummary, Entity, ValueSlice } from '../../shared/entities';
import { H5BlocksError } from '../../shared/errors';
import type { ConfinementRules } from '../hdf5/confinement';
import { checkReadableFile } from '../hdf5/files';
import { IoThread } from '../io/ioThread';

interface Entry {
  id: string;
  path: string;
  /** Two paths (a link, a relative path) to one file are one entry. */
  realPath: string;
  /** The thread that owns this file's HDF5 handle. */
  thread: IoThread;
}

/**
 * An open file's thread ends after this long without requests, giving back its
 * wasm heap (which only grows); the next request starts another and reopens
 * the file, which costs a few hundred milliseconds.
 */
export const FILE_THREAD_IDLE_MS = 60_000;

/**
 * The files the user has open, by the id the renderer knows them by. Each has
 * its own I/O thread holding its HDF5 handle (see io/handleCache.ts for how a
 * replaced file is noticed), so a damaged file that hangs or aborts HDF5 takes
 * only its own thread down; the others never notice.
 */
export class OpenFiles {
  private readonly entries = new Map<string, Entry>();

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
      await known.thread.call({ kind: 'forget', file: known.path });
      await known.thread.call({ kind: 'check', file: known.path });
      return describe(known);
    }
    const thread = new IoThread({ confine: this.confine(absolute), idleExitMs: FILE_THREAD_IDLE_MS });
    try {
      await thread.call({ kind: 'check', file: absolute });
    } catch (error) {
      await thread.terminate();
      throw error;
    }
    const entry: Entry = { id: randomBytes(6).toString('base64url'), path: absolute, realPath, thread };
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
    return entry.thread.call({ kind: 'entity', file: entry.path, path });
  }

  value(id: string, path: string, ranges: [number, number][]): Promise<ValueSlice> {
    const entry = this.entry(id);
    return entry.thread.call({ kind: 'value', file: entry.path, path, ranges });
  }

  children(id: string, paths: string[]): Promise<ChildSummary[][]> {
    const entry = this.entry(id);
    return entry.thread.call({ kind: 'children', file: entry.path, paths });
  }

  virtualOutputs(id: string): Promise<VirtualOutput[]> {
    const entry = this.entry(id);
    return entry.thread.call({ kind: 'virtual-outputs', file: entry.path });
  }

  close(id: string): void {
    void this.entry(id).thread.terminate();
    this.entries.delete(id);
  }

  async closeAll(): Promise<void> {
    const threads = [...this.entries.values()].map((entry) => entry.thread);
    this.entries.clear();
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new H5BlocksError('not-found', `no open file has the id "${id}"; it was closed, open it again`);
    return entry;
  }
}

function describe(entry: Entry): OpenFile {
  return { id: entry.id, path: entry.path, name: basename(entry.path), sizeBytes: sizeOf(entry.path) };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
