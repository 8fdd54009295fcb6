import { constants, closeSync, copyFileSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { H5BlocksError } from '../../shared/errors';

/**
 * Crash safety by copy-and-rename. A run never writes into the user's file: it
 * writes into a staged copy beside it and, once the output is complete and on
 * disk, renames the copy over the original in one atomic step. Killed at any
 * moment, the file is either the untouched original or the finished result; a
 * torn HDF5 metadata write can only ever damage the copy.
 *
 * The cost is one copy of the file per run (a reflink where the file system
 * offers one) and room on disk for it while the run lasts.
 */
export interface StagedFile {
  /** The copy the run writes into. */
  path: string;
  /** Makes the copy durable and puts it in place of the original. */
  commit(): Promise<void>;
  /** Removes the copy; the original is untouched. */
  discard(): void;
}

const STAGE_SUFFIX = '.h5blocks-staged';

export function stageCopy(original: string, runId: string): StagedFile {
  removeAbandonedStages(original);
  const path = join(dirname(original), `.${basename(original)}.${runId}${STAGE_SUFFIX}`);
  const before = statSync(original);
  copyFileSync(original, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  // Flush the copied bytes to disk on libuv's thread pool while the run computes,
  // so the fsync at commit only has the output left to write.
  const earlySync = syncInBackground(path);
  return {
    path,
    async commit() {
      await earlySync;
      const now = statSync(original);
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) {
        throw new H5BlocksError('busy', `${basename(original)}: changed on disk during the run (another program wrote to it); the run's result was not saved and the file was left as that program wrote it`, { file: original });
      }
      fsyncPath(path);
      renameSync(path, original);
      fsyncPath(dirname(original));
    },
    discard() {
      try {
        unlinkSync(path);
      } catch {
        // Never created or already gone.
      }
    },
  };
}

async function syncInBackground(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch {
    // Only an optimisation: commit() syncs again anyway.
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}

/** Copies left by a run that was killed: the lock is held by us now, so nobody else is writing them. */
function removeAbandonedStages(original: string): void {
  const prefix = `.${basename(original)}.`;
  for (const name of readdirSync(dirname(original))) {
    if (name.startsWith(prefix) && name.endsWith(STAGE_SUFFIX)) {
      try {
        unlinkSync(join(dirname(original), name));
      } catch {
        // Best effort.
      }
    }
  }
}
