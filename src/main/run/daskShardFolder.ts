import { readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Where a Dask run's tasks write their shards: a hidden folder beside the
 * input (the one place every worker can reach), named after the file and the
 * run, `.NAME.RUNID.h5blocks-shards`. A run holds the file's lock for its whole
 * length, so under that lock any such folder belongs to a run that is over.
 */
export function daskShardFolderOf(file: string, runId: string): string {
  return join(dirname(file), `.${basename(file)}.${runId}.h5blocks-shards`);
}

const SUFFIX = '.h5blocks-shards';
/** A folder being removed (see removeDaskShardFolder). */
const REMOVING = `${SUFFIX}.removing`;

/**
 * Removes a run's shard folder, even while cancelled tasks still finish: a
 * Dask task that already runs cannot be stopped, and its shard would make the
 * folder non-empty again mid-removal (on a busy machine, for many seconds).
 * The folder is first renamed: tasks create their files by path, so from then
 * on none can add one (a task never creates the folder), and what is inside
 * can only shrink; then it is deleted. Never throws: the run's own outcome
 * matters more, and the next command on the file removes what is left
 * (removeStaleDaskShardFolders).
 */
export async function removeDaskShardFolder(folder: string): Promise<void> {
  const doomed = `${folder}.removing`;
  try {
    renameSync(folder, doomed);
  } catch {
    // Gone already, or cannot be renamed: remove it where it is.
    await rm(folder, { recursive: true, force: true, maxRetries: 13, retryDelay: 100 }).catch(() => undefined);
    return;
  }
  await rm(doomed, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
}

/** Whether a folder entry beside a file named `name` is a Dask run's shard folder (or one being removed). */
export function isDaskShardFolderOf(name: string, entry: string): boolean {
  return entry.startsWith(`.${name}.`) && (entry.endsWith(SUFFIX) || entry.endsWith(REMOVING));
}

/**
 * Shard folders of Dask runs on this file that are over (a killed process's,
 * or one whose removal failed), removed; their names, for the recovery line.
 * Only under the file's lock.
 */
export function removeStaleDaskShardFolders(file: string): string[] {
  const name = basename(file);
  let entries: string[];
  try {
    entries = readdirSync(dirname(file));
  } catch {
    return [];
  }
  const stale = entries.filter((entry) => isDaskShardFolderOf(name, entry));
  const removed: string[] = [];
  for (const entry of stale) {
    try {
      rmSync(join(dirname(file), entry), { recursive: true, force: true });
      removed.push(entry);
    } catch {
      // Left for the next command.
    }
  }
  return removed;
}
