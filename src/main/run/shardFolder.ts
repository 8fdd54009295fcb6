import { readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, sep } from 'node:path';
import { syncFolder } from '../transaction/recovery';

/**
 * Where a vds run's shards live: a folder beside the file, named after it and
 * the output (`data.h5` + `/distances` → `data.h5blocks/distances/`), which the
 * virtual dataset's mappings name relative to the file, so the file and its
 * folder can move together.
 *
 * Shard names carry the run id (`RUNID-block-000003.h5`): a run never writes
 * over shards a committed dataset uses, so a crash at any moment leaves the
 * previous dataset readable; what a crash leaves behind (a dead run's new
 * shards, or an old output's shards after the commit) is referenced by no
 * dataset and is removed by the next run on the file (removeOrphanShards).
 */
const SHARD_NAME = /^.+-block-\d{6}\.h5$/;

export function shardsRootOf(file: string): string {
  const name = basename(file);
  const stem = extname(name) ? name.slice(0, -extname(name).length) : name;
  return join(dirname(file), `${stem || name}.h5blocks`);
}

/** The absolute folder of one output's shards. */
export function shardFolderOf(file: string, output: string): string {
  return join(shardsRootOf(file), ...output.split('/').filter(Boolean));
}

export function shardName(runId: string, index: number): string {
  return `${runId}-block-${String(index).padStart(6, '0')}.h5`;
}

export function isShardName(name: string): boolean {
  return SHARD_NAME.test(name);
}

/** How a mapping names a shard: relative to the file's folder, with `/` whatever the platform. */
export function relativeToFile(file: string, shard: string): string {
  return relative(dirname(file), shard).split(sep).join('/');
}

/** Whether `path` is one of h5blocks' shard files under this file's shard folder (never a user's own file). */
export function isOwnShard(file: string, path: string): boolean {
  const rest = relative(shardsRootOf(file), path);
  return rest !== '' && !rest.startsWith('..') && !isAbsolute(rest) && isShardName(basename(path));
}

/** Every shard file under the file's shard folder. */
export function listShards(file: string): string[] {
  const found: string[] = [];
  const visit = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && isShardName(entry.name)) found.push(path);
    }
  };
  visit(shardsRootOf(file));
  return found;
}

/**
 * Removes shards no dataset of the file uses (`inUse`: absolute paths), then
 * folders left empty up to the shard root. Called where no other run can be
 * writing shards of this file: under its lock, before a run writes its own.
 */
export function removeOrphanShards(file: string, inUse: ReadonlySet<string>): string[] {
  const removed = listShards(file).filter((shard) => !inUse.has(shard));
  removeShards(file, removed);
  return removed;
}

/** Deletes the given shards (only h5blocks' own) and the folders they leave empty. */
export function removeShards(file: string, shards: Iterable<string>): void {
  const folders = new Set<string>();
  for (const shard of shards) {
    if (!isOwnShard(file, shard)) continue;
    try {
      unlinkSync(shard);
    } catch {
      // Already gone.
    }
    folders.add(dirname(shard));
  }
  for (const folder of folders) pruneEmptyFolders(file, folder);
}

/** Removes `folder` and its parents up to the file's shard root, while they are empty. */
export function pruneEmptyFolders(file: string, folder: string): void {
  const root = shardsRootOf(file);
  for (let at = folder; at.startsWith(root); at = dirname(at)) {
    try {
      if (readdirSync(at).length > 0) break;
      rmdirSync(at);
    } catch {
      break;
    }
    if (at === root) break;
  }
}

/**
 * Removes the folders under the file's shard root that hold nothing (the root
 * too, once empty): what a vds run killed before its first shard was written
 * leaves. Only empty folders, never a file. Returns them relative to the file's
 * folder, deepest first.
 */
export function removeEmptyShardFolders(file: string): string[] {
  const removed: string[] = [];
  const visit = (folder: string): boolean => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return false;
    }
    let empty = true;
    for (const entry of entries) {
      if (!entry.isDirectory() || !visit(join(folder, entry.name))) empty = false;
    }
    if (!empty) return false;
    try {
      rmdirSync(folder);
    } catch {
      return false;
    }
    removed.push(relativeToFile(file, folder));
    return true;
  };
  visit(shardsRootOf(file));
  return removed;
}

/** Makes a written shard durable (file and folder entry) before the commit point refers to it. */
export function syncShard(path: string): void {
  syncFolder(path);
  syncFolder(dirname(path));
}
