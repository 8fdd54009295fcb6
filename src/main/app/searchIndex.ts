// Search over every object of every open file, expanded in the tree or not.
// Each file's path index is built on its first search, group by group, in
// small batches that let other calls through; until a large file is done the
// search answers from what is indexed so far and says which files are still
// being indexed, and the renderer asks again. An index is dropped when its file
// changes on disk (a run adds an output).

import { statSync } from 'node:fs';
import type { OpenFile, SearchMatch, SearchResult } from '@shared/api';
import type { ChildSummary } from '@shared/entities';

/** Groups listed per turn of the event loop. */
const GROUPS_PER_BATCH = 200;
/** A search waits this long for indexes still being built before answering with what it has. */
const WAIT_FOR_INDEX_MS = 400;
/** Beyond this many objects a file's index stops (hard links can make a group its own ancestor). */
export const MAX_INDEXED_OBJECTS = 2_000_000;
const MAX_DEPTH = 64;
export const MAX_MATCHES = 500;

interface FileIndex {
  stamp: string;
  objects: ChildSummary[];
  done: boolean;
  built: Promise<void>;
}

/** Lists the children of some groups of an open file (in the file's I/O thread). */
export type ListGroups = (fileId: string, paths: string[]) => Promise<ChildSummary[][]>;

export class SearchIndex {
  private readonly indexes = new Map<string, FileIndex>();

  constructor(private readonly listGroups: ListGroups) {}

  async search(files: OpenFile[], query: string): Promise<SearchResult> {
    const needle = query.trim().toLowerCase();
    const indexes = files.map((file) => ({ file, index: this.indexFor(file) }));
    const waited = new Promise((resolve) => setTimeout(resolve, WAIT_FOR_INDEX_MS));
    await Promise.race([Promise.all(indexes.map(({ index }) => index.built)), waited]);
    const matches: (SearchMatch & { rank: number })[] = [];
    let total = 0;
    for (const { file, index } of indexes) {
      if (!needle) continue;
      for (const object of index.objects) {
        if (!object.path.toLowerCase().includes(needle)) continue;
        total++;
        matches.push({ fileId: file.id, fileName: file.name, path: object.path, name: object.name, kind: object.kind, rank: rankOf(object.name.toLowerCase(), needle) });
      }
    }
    matches.sort((a, b) => a.rank - b.rank || a.fileName.localeCompare(b.fileName) || a.path.localeCompare(b.path));
    return {
      matches: matches.slice(0, MAX_MATCHES).map(({ rank: _rank, ...match }) => match),
      total,
      indexing: indexes.filter(({ index }) => !index.done).map(({ file }) => file.name),
    };
  }

  forget(fileId: string): void {
    this.indexes.delete(fileId);
  }

  private indexFor(file: OpenFile): FileIndex {
    const stamp = stampOf(file.path);
    const known = this.indexes.get(file.id);
    if (known && known.stamp === stamp) return known;
    const index: FileIndex = { stamp, objects: [], done: false, built: Promise.resolve() };
    // Registered before building starts: the build stops as soon as it is no longer the file's index.
    this.indexes.set(file.id, index);
    index.built = this.build(file.id, index).finally(() => {
      index.done = true;
    });
    return index;
  }

  private async build(fileId: string, index: FileIndex): Promise<void> {
    const queue: { path: string; depth: number }[] = [{ path: '/', depth: 0 }];
    try {
      while (queue.length > 0 && index.objects.length < MAX_INDEXED_OBJECTS && this.indexes.get(fileId) === index) {
        const groups = queue.splice(0, GROUPS_PER_BATCH);
        const listed = await this.listGroups(fileId, groups.map((group) => group.path));
        groups.forEach((group, g) => {
          for (const child of listed[g]) {
            index.objects.push(child);
            if (child.kind === 'group' && group.depth < MAX_DEPTH) queue.push({ path: child.path, depth: group.depth + 1 });
          }
        });
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch {
      // A group that cannot be listed (damaged file, file closed meanwhile) ends the index where it got to;
      // opening that group in the tree reports the problem where it concerns.
    }
  }
}

function rankOf(name: string, needle: string): number {
  if (name === needle) return 0;
  if (name.startsWith(needle)) return 1;
  if (name.includes(needle)) return 2;
  return 3;
}

function stampOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'gone';
  }
}
