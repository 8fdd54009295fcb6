import { chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * The small files a transaction keeps beside the user's file (given as its real
 * path, so every link to it finds the same ones). They start with a dot and the
 * file's name, so they sort next to it and stay out of plain listings.
 */
export function lockPathOf(realFile: string): string {
  return join(dirname(realFile), `.${basename(realFile)}.h5blocks.lock`);
}

export function logPathOf(realFile: string): string {
  return join(dirname(realFile), `.${basename(realFile)}.h5blocks-log`);
}

/** Every sidecar of this file (lock, log, claims and pending lock files), by name. */
export function isSidecarOf(realFile: string, entry: string): boolean {
  const prefix = `.${basename(realFile)}.h5blocks`;
  return entry.startsWith(prefix) && (entry.length === prefix.length || entry[prefix.length] === '.' || entry[prefix.length] === '-');
}

/**
 * One folder for the inode locks of every file, the same for every process of
 * every user on the machine: /tmp (not $TMPDIR, which differs between
 * processes) on POSIX systems. Its name starts with a dot so listings of /tmp
 * and searches for scratch (h5blocks-run-*) do not see it. World-writable
 * with the sticky bit, as /tmp itself.
 */
export const INODE_LOCK_FOLDER = join(process.platform === 'win32' ? tmpdir() : '/tmp', '.h5blocks-inode-locks');

/** The inode lock of a file, or undefined when the shared folder cannot be made (a read-only /tmp). */
export function inodeLockPathOf(dev: bigint, ino: bigint, folder = INODE_LOCK_FOLDER): string | undefined {
  try {
    // Made again if a temp cleaner removed it; a stat when it is there.
    if (mkdirSync(folder, { recursive: true, mode: 0o1777 }) !== undefined) {
      // The umask takes bits off mkdir's mode: whoever makes the folder sets them.
      chmodSync(folder, 0o1777);
    }
  } catch {
    return undefined;
  }
  return join(folder, `${dev}-${ino}.lock`);
}
